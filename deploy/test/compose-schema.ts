/**
 * What deploy/test/compose-schema.test.ts validates with: the Compose Specification's
 * JSON schema as deploy/compose-schema.sh caches it, compiled with ajv, and the compose
 * files of deploy/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

/** deploy/ */
export const DEPLOY_DIR = fileURLToPath(new URL('../', import.meta.url));

/** The compose files under deploy/ (`*compose*.yml` or `.yaml`), relative to it. */
export function composeFiles(dir = DEPLOY_DIR): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => /(^|\/)[^/]*compose[^/]*\.ya?ml$/.test(path) && !path.includes('node_modules'))
    .map((path) => relative(DEPLOY_DIR, join(dir, path)))
    .sort();
}

/** Parses a compose file as `docker compose` reads it (YAML, anchors and merge keys included). */
export function readCompose(path: string): unknown {
  return parse(readFileSync(join(DEPLOY_DIR, path), 'utf8'), { merge: true });
}

/** Where deploy/compose-schema.sh put the schema of the compose-go version it pins. */
export function composeSchemaPath(): string {
  const script = readFileSync(join(DEPLOY_DIR, 'compose-schema.sh'), 'utf8');
  const version = /^COMPOSE_GO_VERSION=(\S+)$/m.exec(script)?.[1];
  if (!version) throw new Error('COMPOSE_GO_VERSION is not set in deploy/compose-schema.sh');
  const cache =
    process.env.VIGIE_COMPOSE_SCHEMA_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vigie', 'compose-spec');
  const path = join(cache, `compose-spec-${version}.json`);
  if (!existsSync(path))
    throw new Error(
      `The Compose schema (compose-go ${version}) is missing from ${cache}: ` +
        'run `bash deploy/compose-schema.sh` (needs Go; .ci/run does it)',
    );
  return path;
}

/**
 * A validator of compose documents: it returns one readable line per error
 * (`/services/api: unknown key "imagee"`), none when the document is valid.
 */
export function composeValidator(schemaPath = composeSchemaPath()): (document: unknown) => string[] {
  // allErrors: every mistake of a file in one run, as `docker compose config` would list them.
  // strict off: the schema is upstream's, with union types ajv's strict mode would refuse.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
  return (document) => {
    if (validate(document)) return [];
    const errors = validate.errors ?? [];
    // A property whose value fails its schema no longer counts as evaluated, so ajv also
    // calls it (and sometimes its siblings) unknown: those echoes of a deeper error are left out.
    const echoes = (error: (typeof errors)[number]) =>
      error.keyword === 'unevaluatedProperties' &&
      errors.some((other) => other.instancePath.startsWith(`${error.instancePath}/`));
    const lines = errors
      .filter((error) => !echoes(error))
      .map((error) => {
        const at = error.instancePath || '/';
        const params = error.params as { additionalProperty?: string; unevaluatedProperty?: string };
        // Services are closed with unevaluatedProperties (draft 2020-12), the top level with
        // additionalProperties: both mean a key the specification does not know.
        const unknown = params.additionalProperty ?? params.unevaluatedProperty;
        if (unknown !== undefined) return `${at}: unknown key "${unknown}"`;
        return `${at}: ${error.message ?? error.keyword}`;
      });
    return [...new Set(lines)];
  };
}
