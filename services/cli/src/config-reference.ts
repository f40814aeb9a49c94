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
