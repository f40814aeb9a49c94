import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ENGINES } from './engines.js';

const STACK_SCRIPT = fileURLToPath(new URL('../../../deploy/local/stack.sh', import.meta.url));

async function elasticsearchAnswers(): Promise<boolean> {
  try {
    const response = await fetch(`${ENGINES.elasticsearchUrl}/_cluster/health`, {
      signal: AbortSignal.timeout(3000),
    });
    const health = (await response.json()) as { status?: string };
    return health.status === 'yellow' || health.status === 'green';
  } catch {
    return false;
  }
}

function kafkaAnswers(): Promise<boolean> {
  const [host, port] = (ENGINES.kafkaBrokers[0] ?? '127.0.0.1:9092').split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port), timeout: 3000 }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Integration tests need the real engines: start the local stack unless they already answer. */
export default async function setup(): Promise<void> {
  if ((await elasticsearchAnswers()) && (await kafkaAnswers())) return;
  process.stdout.write(
    'Kafka or Elasticsearch is not answering: starting the local stack (npm run stack:up).\n',
  );
  const result = spawnSync('bash', [STACK_SCRIPT, 'up'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`deploy/local/stack.sh up failed with exit code ${result.status}`);
}
