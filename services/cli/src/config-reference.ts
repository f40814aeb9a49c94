import { readFileSync, writeFileSync } from 'node:fs';
import { type TSchema, TypeGuard } from '@sinclair/typebox';
import { configKeys } from '@vigie/common';

/** The configuration reference, generated from the config schema, as a Markdown table. */
export function configReference(): string {
  const rows: string[] = [];
  for (const key of configKeys()) {
    rows.push(row(`\`${key.env}\``, key.path, key.schema));
    rows.push(...entryRows(key.path, key.schema));
  }
  return ['| Variable | File key | Default | Meaning |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}

/**
 * Rows of what a list entry or a nested object holds, set in the file only:
 * `collector.files[].paths`, `alerter.routes[].match.service`. A list of variants told
 * apart by `type` (receivers) lists the fields they share once, then each variant with its
 * own fields, as `alerter.receivers[type=pagerduty].routingKey`.
 */
function entryRows(path: string, schema: TSchema): string[] {
  if (TypeGuard.IsObject(schema)) return fieldRows(path, schema.properties);
  if (!TypeGuard.IsArray(schema)) return [];
  const items = schema.items;
  if (TypeGuard.IsObject(items)) return fieldRows(`${path}[]`, items.properties);
  if (TypeGuard.IsUnion(items)) return variantRows(path, items.anyOf);
  return [];
}

function fieldRows(path: string, fields: Record<string, TSchema>, skip: string[] = []): string[] {
  return Object.entries(fields)
    .filter(([name]) => !skip.includes(name))
    .flatMap(([name, field]) => [row('', `${path}.${name}`, field), ...entryRows(`${path}.${name}`, field)]);
}

function variantRows(path: string, variants: TSchema[]): string[] {
  const objects = variants.filter((variant) => TypeGuard.IsObject(variant));
  const first = objects[0];
  if (!first || objects.length !== variants.length) return [];
  const same = (name: string) =>
    objects.every((v) => JSON.stringify(v.properties[name]) === JSON.stringify(first.properties[name]));
  const shared = Object.keys(first.properties).filter((name) => name !== 'type' && same(name));
  const rows = fieldRows(
    `${path}[]`,
    Object.fromEntries(shared.map((n) => [n, first.properties[n] as TSchema])),
  );
  for (const variant of objects) {
    const type = variant.properties.type;
    const at = `${path}[type=${String(type?.const)}]`;
    rows.push(
      `|  | \`${at}\` |  | ${type?.description ?? ''} |`,
      ...fieldRows(at, variant.properties, [...shared, 'type']),
    );
  }
  return rows;
}

function row(variable: string, path: string, schema: TSchema): string {
  const fallback = schema.default === undefined ? '' : `\`${formatDefault(schema.default)}\``;
  const secret = schema.secret ? ' Secret: never logged.' : '';
  return `| ${variable} | \`${path}\` | ${fallback} | ${schema.description ?? ''}${secret} |`;
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.length > 0 ? value.join(',') : '[]';
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

const START = '<!-- config-reference:start -->\n';
const END = '<!-- config-reference:end -->';

/** Rewrites the reference between its markers in a Markdown file (README.md). */
export function updateConfigReference(file: string): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} has no config-reference markers`);
  writeFileSync(file, `${text.slice(0, start + START.length)}${configReference()}${text.slice(end)}`);
}
