import { readFileSync, writeFileSync } from 'node:fs';
import { type TSchema, TypeGuard } from '@sinclair/typebox';
import { configKeys } from '@vigie/common';

/** The configuration reference, generated from the config schema, as a Markdown table. */
export function configReference(): string {
  const rows: string[] = [];
  for (const key of configKeys()) {
    rows.push(row(`\`${key.env}\``, key.path, key.schema));
    // Lists of objects (collector.files): one row per field of an entry.
    const items = TypeGuard.IsArray(key.schema) ? key.schema.items : undefined;
    if (items && TypeGuard.IsObject(items)) {
      for (const [name, field] of Object.entries(items.properties))
        rows.push(row('', `${key.path}[].${name}`, field));
    }
  }
  return ['| Variable | File key | Default | Meaning |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}

function row(variable: string, path: string, schema: TSchema): string {
  const fallback = schema.default === undefined ? '' : `\`${formatDefault(schema.default)}\``;
  const secret = schema.secret ? ' Secret: never logged.' : '';
  return `| ${variable} | \`${path}\` | ${fallback} | ${schema.description ?? ''}${secret} |`;
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.length > 0 ? value.join(',') : '[]';
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
