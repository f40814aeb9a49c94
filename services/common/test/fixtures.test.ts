import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../src/index.js';

const dir = fileURLToPath(new URL('../../../fixtures/events/', import.meta.url));
const RECORD_TIME = Date.UTC(2026, 10, 28, 9);
const inputs = readdirSync(dir).filter(
  (name) => name.endsWith('.ndjson') && !name.endsWith('.expected.ndjson'),
);

// Golden files: each input line's normalised result, one JSON per line. After a
// deliberate change, regenerate them with VIGIE_UPDATE_GOLDEN=1 and review the diff.
describe('normalizeEvent on fixtures/events', () => {
  it.each(inputs)('%s gives its golden output', (name) => {
    const lines = readFileSync(`${dir}${name}`, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const actual = lines.map((line) =>
      JSON.stringify(normalizeEvent(JSON.parse(line), { defaultTimestamp: RECORD_TIME })),
    );
    const golden = `${dir}${name.replace(/\.ndjson$/, '.expected.ndjson')}`;
    if (process.env.VIGIE_UPDATE_GOLDEN) writeFileSync(golden, `${actual.join('\n')}\n`);
    expect(actual).toEqual(readFileSync(golden, 'utf8').trimEnd().split('\n'));
  });
});
