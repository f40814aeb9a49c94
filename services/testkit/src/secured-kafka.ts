import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './private-kafka.js';
import { makeTestCertificates, type TestCertificates } from './test-ca.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const STACK = join(REPO, 'deploy/local/stack.sh');

/** A user of the secured broker and the SASL mechanism it authenticates with. */
export interface SaslUser {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

function kafkaVersion(): string {
  if (process.env.VIGIE_KAFKA_VERSION) return process.env.VIGIE_KAFKA_VERSION;
  const versions = readFileSync(join(REPO, 'deploy/local/versions.env'), 'utf8');
  const version = /^KAFKA_VERSION=(\S+)$/m.exec(versions)?.[1];
  if (!version) throw new Error('KAFKA_VERSION missing from deploy/local/versions.env');
  return version;
}

/** The jars of the local stack's Kafka, fetched by its script when they are not there yet. */
async function kafkaLibs(): Promise<string> {
  const stackDir = process.env.VIGIE_STACK_DIR ?? join(REPO, '.cache/stack');
  const dist = join(stackDir, 'dist', `kafka-${kafkaVersion()}`);
  if (!existsSync(join(dist, '.complete'))) {
    process.stdout.write(`Secured Kafka: fetching the Kafka jars (bash ${STACK} fetch kafka)...\n`);
    await run('bash', [STACK, 'fetch', 'kafka'], { timeout: 600_000 });
  }
  return join(dist, 'libs');
}

const JAVA = process.env.VIGIE_KAFKA_JAVA_HOME ? join(process.env.VIGIE_KAFKA_JAVA_HOME, 'bin/java') : 'java';

const LOG4J = `status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
`;

/**
 * A single-node Kafka (KRaft) of a test's own whose only client listener is SASL_SSL on
 * 127.0.0.1, with a throwaway CA: users `vigie-plain` (PLAIN, from the JAAS config) and
 * `vigie-scram` (SCRAM-SHA-256 and SCRAM-SHA-512, added when the storage is formatted),
 * each with a random password. It runs the local stack's Kafka jars with a small heap and
 * leaves the shared broker alone. `stop()` kills it and deletes its folder.
 */
export class SecuredKafka {
  private constructor(
    private readonly dir: string,
    private readonly child: ChildProcess,
    /** Port of the SASL_SSL listener. */
    readonly port: number,
    /** The CA that signed the broker's certificate. */
    readonly certificates: TestCertificates,
    /** The PLAIN user. */
    readonly plainUser: SaslUser,
    /** The SCRAM user, valid for both SCRAM mechanisms. */
    readonly scramUser: { username: string; password: string },
    private readonly exited: Promise<void>,
  ) {}

  /** `host:port` of the SASL_SSL listener. */
  get broker(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The broker's log so far (what it printed on stdout and stderr). */
  log(): Promise<string> {
    return readFile(join(this.dir, 'kafka.log'), 'utf8');
  }

  /** Formats a new broker's storage, starts it and waits until it serves (about 10-20 s). */
  static async start(): Promise<SecuredKafka> {
    const startedAt = Date.now();
    const say = (text: string) =>
      process.stdout.write(`Secured Kafka: ${text} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)\n`);
    const dir = await mkdtemp(join(tmpdir(), 'vigie-secured-kafka-'));
    const libs = await kafkaLibs();
    const certificates = await makeTestCertificates(dir, 'broker');
    // Kafka reads a PEM key store as the private key followed by the certificate.
    const keystore = join(dir, 'broker-keystore.pem');
    await writeFile(
      keystore,
      (await readFile(certificates.keyFile, 'utf8')) + (await readFile(certificates.certFile, 'utf8')),
    );
    say(`test CA and broker certificate made in ${dir}`);
    const port = await freePort();
    const controllerPort = await freePort();
    const secret = () => randomBytes(12).toString('hex');
    const plainUser: SaslUser = { mechanism: 'plain', username: 'vigie-plain', password: secret() };
    const scramUser = { username: 'vigie-scram', password: secret() };
    const adminPassword = secret();
    const plainJaas =
      'org.apache.kafka.common.security.plain.PlainLoginModule required ' +
      `username="admin" password="${adminPassword}" user_admin="${adminPassword}" ` +
      `user_${plainUser.username}="${plainUser.password}";`;
    const scramJaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
    const config = join(dir, 'server.properties');
    await writeFile(
      config,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        `listeners=SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=SASL_SSL://127.0.0.1:${port}`,
        'listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=SASL_SSL',
        'sasl.mechanism.inter.broker.protocol=PLAIN',
        'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
        `listener.name.sasl_ssl.plain.sasl.jaas.config=${plainJaas}`,
        `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scramJaas}`,
        `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scramJaas}`,
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${keystore}`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${certificates.caFile}`,
        'ssl.client.auth=none',
        `log.dirs=${join(dir, 'data')}`,
        'num.partitions=1',
        'offsets.topic.replication.factor=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'num.network.threads=2',
        'num.io.threads=2',
      ].join('\n'),
    );
    await writeFile(join(dir, 'log4j2.properties'), LOG4J);
    const jvm = [
      '-XX:+UseSerialGC',
      `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
      '-cp',
      `${libs}/*`,
    ];
    const scram = (mechanism: string) =>
      `${mechanism}=[name=${scramUser.username},password=${scramUser.password}]`;
    await run(
      JAVA,
      ['-Xmx256m', '-XX:TieredStopAtLevel=1', ...jvm, 'kafka.tools.StorageTool', 'format']
        .concat(['--cluster-id', randomClusterId(), '-c', config])
        .concat(['--add-scram', scram('SCRAM-SHA-256'), '--add-scram', scram('SCRAM-SHA-512')]),
      { timeout: 120_000 },
    );
    say('storage formatted with the SCRAM users');
    const log = openSync(join(dir, 'kafka.log'), 'a');
    const child = spawn(JAVA, ['-Xms512m', '-Xmx512m', ...jvm, 'kafka.Kafka', config], {
      stdio: ['ignore', log, log],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // A test runner that dies must not leave a broker behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    void exited.then(() => process.off('exit', killOnExit));
    const kafka = new SecuredKafka(dir, child, port, certificates, plainUser, scramUser, exited);
    say(`broker starting on 127.0.0.1:${port} (SASL_SSL), pid ${child.pid}`);
    try {
      await kafka.untilServing(120_000);
    } catch (err) {
      await kafka.stop();
      throw err;
    }
    say('broker serving');
    return kafka;
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 15 s) and deletes its folder. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      await this.exited;
      clearTimeout(killer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async untilServing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const log = await this.log().catch(() => '');
      if (/Kafka Server started/.test(log)) return;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`The secured Kafka exited during start-up:\n${log.slice(-3000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(
      `The secured Kafka did not start within ${timeoutMs} ms:\n${(await this.log()).slice(-3000)}`,
    );
  }
}

/** A KRaft cluster id: 16 random bytes in URL-safe base64 without padding. */
function randomClusterId(): string {
  return randomBytes(16).toString('base64url');
}
