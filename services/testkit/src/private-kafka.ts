import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const STACK = fileURLToPath(new URL('../../../deploy/local/stack.sh', import.meta.url));
const run = promisify(execFile);

/** A free TCP port on the loopback address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A Kafka broker of a test's own, so that stopping it leaves the shared one alone: the
 * local stack script on a temporary folder and free ports (the jars come from the
 * ~/.m2 cache, so it starts in seconds).
 */
export class PrivateKafka {
  private constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly controllerPort: number,
  ) {}

  /** Starts a new broker and waits until it answers. */
  static async start(): Promise<PrivateKafka> {
    const kafka = new PrivateKafka(
      await mkdtemp(join(tmpdir(), 'vigie-kafka-')),
      await freePort(),
      await freePort(),
    );
    await kafka.up();
    return kafka;
  }

  /** `host:port` to connect to. */
  get broker(): string {
    return `127.0.0.1:${this.port}`;
  }

  up(): Promise<void> {
    return this.stack('up');
  }

  down(): Promise<void> {
    return this.stack('down');
  }

  /** Stops the broker and deletes its folder. */
  async destroy(): Promise<void> {
    await this.down().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async stack(command: 'up' | 'down'): Promise<void> {
    await run('bash', [STACK, command, 'kafka'], {
      env: {
        ...process.env,
        VIGIE_STACK_DIR: this.dir,
        VIGIE_KAFKA_PORT: String(this.port),
        VIGIE_KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      },
      timeout: 180_000,
    });
  }
}
