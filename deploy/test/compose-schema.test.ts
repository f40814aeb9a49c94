import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeFiles, composeSchemaPath, composeValidator, readCompose } from './compose-schema.js';

interface ComposeDocument {
  services: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

// No Docker engine runs here: the compose files are checked against the Compose
// Specification's own schema, the one `docker compose` validates with (compose-go),
// which deploy/compose-schema.sh fetches through the Go module proxy.
describe('compose files against the Compose Specification schema', () => {
  const validate = composeValidator();
  const real = () => readCompose('docker-compose.yml') as ComposeDocument;

  it('finds the compose files of deploy/', () => {
    expect(composeFiles()).toContain('docker-compose.yml');
  });

  it.each(composeFiles())('validates %s', (path) => {
    expect(validate(readCompose(path))).toEqual([]);
  });

  it('refuses an unknown top-level key, naming it', () => {
    const broken = { ...real(), servicez: {} };
    expect(validate(broken)).toEqual(['/: unknown key "servicez"']);
  });

  it('refuses ports that are not a list, naming the service', () => {
    const broken = real();
    Object.assign(broken.services.kafka ?? {}, { ports: '127.0.0.1:9092:9094' });
    expect(validate(broken)).toEqual(['/services/kafka/ports: must be array']);
  });

  it('refuses a misspelt service key, naming it and the service', () => {
    const broken = real();
    const { environment, ...processor } = broken.services.processor ?? {};
    broken.services.processor = { ...processor, enviroment: environment };
    expect(validate(broken)).toEqual(['/services/processor: unknown key "enviroment"']);
  });

  it('fails with the command to run when the schema is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'vigie-compose-schema-'));
    const saved = process.env.VIGIE_COMPOSE_SCHEMA_DIR;
    process.env.VIGIE_COMPOSE_SCHEMA_DIR = empty;
    try {
      expect(() => composeSchemaPath()).toThrow('run `bash deploy/compose-schema.sh`');
    } finally {
      if (saved === undefined) delete process.env.VIGIE_COMPOSE_SCHEMA_DIR;
      else process.env.VIGIE_COMPOSE_SCHEMA_DIR = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
