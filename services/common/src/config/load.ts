import { readFileSync } from 'node:fs';
import { type TObject, type TSchema, TypeGuard } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { ConfigSchema, type VigieConfig } from './schema.js';

/** One settable leaf of the configuration. */
export interface ConfigKey {
  /** Dotted path, e.g. `kafka.brokers`. */
  path: string;
  /** Environment variable, e.g. `VIGIE_KAFKA_BROKERS`. */
  env: string;
  schema: TSchema;
}

/** Where the configuration comes from. */
export interface LoadConfigOptions {
  /** Environment to read `VIGIE_*` variables from; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Config file (YAML or JSON); defaults to `VIGIE_CONFIG` when set. */
  file?: string;
}

/** The configuration and the non-fatal remarks about it (such as unknown variables). */
export interface LoadedConfig {
  config: VigieConfig;
  warnings: string[];
  /** Whether the file or the environment set this dotted path (defaults aside), e.g. `kafka.brokers`. */
  isSet(path: string): boolean;
}

/** Variables that are read by other tools (the local stack scripts), not by the config. */
const FOREIGN_ENV = new Set(['VIGIE_CONFIG', 'VIGIE_STACK_DIR', 'VIGIE_KAFKA_VERSION', 'VIGIE_ES_VERSION']);

const toSnake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Every leaf of the configuration, with its variable name. */
export function configKeys(schema: TObject = ConfigSchema, prefix: string[] = []): ConfigKey[] {
  const keys: ConfigKey[] = [];
  for (const [name, child] of Object.entries(schema.properties)) {
    const path = [...prefix, name];
    if (TypeGuard.IsObject(child)) keys.push(...configKeys(child, path));
    else keys.push({ path: path.join('.'), env: `VIGIE_${path.map(toSnake).join('_')}`, schema: child });
  }
  return keys;
}

/**
 * Reads, merges (defaults < file < environment) and validates the configuration. Throws
 * one `ConfigError` listing every problem, each naming the variable or file key and
 * what is expected, on a single line.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.VIGIE_CONFIG;
  const keys = configKeys();
  const origin = new Map<string, string>();
  const warnings: string[] = [];

  const raw: Record<string, unknown> = file ? readConfigFile(file) : {};
  if (file) for (const key of keys) origin.set(key.path, `${key.path} in ${file}`);

  const known = new Set(keys.map((k) => k.env));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('VIGIE_') || value === undefined) continue;
    if (!known.has(name)) {
      if (!FOREIGN_ENV.has(name)) warnings.push(`unknown environment variable ${name} ignored`);
      continue;
    }
    const key = keys.find((k) => k.env === name) as ConfigKey;
    setPath(raw, key.path.split('.'), parseEnvValue(value, key.schema));
    origin.set(key.path, `${name} (${key.path})`);
  }

  const config = Value.Default(ConfigSchema, Value.Clone(raw));
  const problems = [...Value.Errors(ConfigSchema, config)].map((error) => {
    const path = error.path.replace(/^\//, '').replaceAll('/', '.');
    const key = keys.find((k) => k.path === path);
    const where = origin.get(path) ?? (file ? `${path} in ${file}` : path);
    if (error.message.startsWith('Unexpected property')) return `${where}: unknown key`;
    const got = key?.schema.secret ? '[redacted]' : JSON.stringify(error.value);
    return `${where}: ${describeExpectation(error.message, key?.schema)}, got ${got}`;
  });
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${dedupe(problems).join('; ')}`);
  const isSet = (path: string) =>
    path
      .split('.')
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], raw) !==
    undefined;
  return { config: config as VigieConfig, warnings, isSet };
}

/** A copy of the configuration safe to log: every secret replaced. */
export function redactConfig(config: VigieConfig): Record<string, unknown> {
  return redactValue(config, ConfigSchema) as Record<string, unknown>;
}

// Walks the value along its schema so secrets nested in lists of receivers (a union of
// object shapes) are found too, not only the fixed leaves `configKeys` lists.
function redactValue(value: unknown, schema: TSchema): unknown {
  if (value === undefined || value === null) return value;
  if (schema.secret) return '[redacted]';
  if (TypeGuard.IsArray(schema) && Array.isArray(value))
    return value.map((item) => redactValue(item, schema.items));
  if (TypeGuard.IsUnion(schema)) {
    const variant = schema.anyOf.find((candidate) => Value.Check(candidate, value)) ?? schema.anyOf[0];
    return variant ? redactValue(value, variant) : value;
  }
  if (TypeGuard.IsObject(schema) && typeof value === 'object' && !Array.isArray(value)) {
    const copy: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
      const childSchema = schema.properties[name];
      copy[name] = childSchema ? redactValue(child, childSchema) : child;
    }
    return copy;
  }
  return value;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `Invalid configuration: cannot read config file ${file}: ${(err as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    throw new ConfigError(`Invalid configuration: config file ${file} is not valid YAML or JSON: ${reason}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`Invalid configuration: config file ${file} must hold an object of settings`);
  }
  return parsed as Record<string, unknown>;
}

function parseEnvValue(value: string, schema: TSchema): unknown {
  // Lists of objects and maps are written as JSON in the environment.
  if ((TypeGuard.IsArray(schema) && TypeGuard.IsObject(schema.items)) || TypeGuard.IsRecord(schema)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (TypeGuard.IsArray(schema)) {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
  if (TypeGuard.IsInteger(schema) || TypeGuard.IsNumber(schema)) {
    return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  }
  if (TypeGuard.IsBoolean(schema)) {
    if (/^(true|1|yes)$/i.test(value)) return true;
    if (/^(false|0|no)$/i.test(value)) return false;
  }
  return value;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}

function describeExpectation(message: string, schema: TSchema | undefined): string {
  if (schema && TypeGuard.IsUnion(schema) && schema.anyOf.every((s) => TypeGuard.IsLiteral(s))) {
    return `expected one of ${schema.anyOf.map((s) => s.const).join(', ')}`;
  }
  return message.replace(/^Expected/, 'expected');
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}
