import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { SeriesDetector } from './detector.js';
import type { SeriesDetectorOptions } from './options.js';

/** A zone designator at the end of an ISO 8601 time: Z, +hh:mm, +hhmm or +hh. */
const HAS_ZONE = /(Z|[+-]\d\d(:?\d\d)?)$/i;

/**
 * Epoch ms of a timestamp column: ISO 8601 (`2014-04-01T00:00:00Z`), or the NAB form
 * `2014-04-01 00:00:00`; a time without a zone is UTC, so results do not depend on the
 * machine's time zone. Plain numbers are epoch seconds (below 1e11) or milliseconds.
 */
export function parseTimestamp(text: string): number {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) {
    const n = Number(trimmed);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  const iso = trimmed.replace(' ', 'T');
  const ms = Date.parse(HAS_ZONE.test(iso) || !iso.includes('T') ? iso : `${iso}Z`);
  return ms;
}

/**
 * `vigie detect-series <file.csv>`: reads `timestamp,value` rows (a header row is
 * allowed) and writes `timestamp,value,anomaly_score,is_anomaly` for each, scoring every
 * row online (from the rows before it only) with the default detector. Rows whose
 * timestamp cannot be read fail the command with their line number.
 */
export async function runDetectSeriesCommand(
  csvPath: string,
  output: NodeJS.WritableStream,
  options: Partial<SeriesDetectorOptions> = {},
): Promise<void> {
  const detector = new SeriesDetector(options);
  let line = 0;
  const score = new Transform({
    objectMode: true,
    transform(row: string[], _encoding, done) {
      line++;
      const [timestamp = '', value = ''] = row;
      const time = parseTimestamp(timestamp);
      if (Number.isNaN(time)) {
        // A first row that is not a time is the header.
        if (line === 1) return done();
        return done(new Error(`${csvPath}:${line}: cannot read timestamp ${JSON.stringify(timestamp)}`));
      }
      const verdict = detector.update(time, Number(value));
      done(null, [timestamp, value, verdict.score.toFixed(6), verdict.isAnomaly ? 1 : 0]);
    },
  });
  await pipeline(
    createReadStream(csvPath),
    parse({ trim: true, skip_empty_lines: true, relax_column_count: true }),
    score,
    stringify({ header: true, columns: ['timestamp', 'value', 'anomaly_score', 'is_anomaly'] }),
    output,
    { end: output !== process.stdout && output !== process.stderr },
  );
}
