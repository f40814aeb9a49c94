import { readFileSync, writeFileSync } from 'node:fs';
import { configKeys } from '@vigie/common';

/** The configuration reference, generated from the config schema, as a Markdown table. */
export function configReference(): string {
  const rows = configKeys().map((key) => {
    const fallback = key.schema.default === undefined ? '' : `\`${formatDefault(key.schema.default)}\``;
    const secret = key.schema.secret ? ' Secret: never logged.' : '';
    return `| \`${key.env}\` | \`${key.path}\` | ${fallback} | ${key.schema.description ?? ''}${secret} |`;
  });
  return ['| Variable | File key | Default | Meaning |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}

function formatDefault(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
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
