import type { Migration } from './database.js';

/**
 * The log side's tables. An event is kept whole as JSON (`doc`) and read with SQLite's
 * JSON functions, plus real columns for what nearly every query filters or sorts on
 * (`ts`, `service`, `level`, `version`) and the partition day retention deletes by. JSON rather than a
 * generic (event, field, value) table: events carry arbitrary `labels` and `attributes`
 * (thousands of distinct keys), and one row per field would multiply the rows written by
 * about twenty at ingest, where the all-in-one mode must sustain 20,000 events/s; a clause
 * on an unusual field costs a scan of the time range instead, which SQLite's C JSON parser
 * does quickly.
 *
 * Full text lives in a contentless FTS5 table keyed by the log's rowid (the text is already
 * in `doc`): the words are the query language's own tokens (`tokens()`, written separated by
 * spaces), so FTS5 and the in-memory predicate agree on what a word is.
 */
/**
 * The fields that name an event's source (`contextSourceOf`), each kept in a column of its
 * own (logs-3) so that reading an event's context does not scan the table. Columns filled
 * from the event when it is written, rather than indexes on `json_extract(doc, ...)`, which
 * parsed the whole document four times per insert.
 */
export const SOURCE_COLUMNS: Readonly<Record<string, string>> = {
  'log.file.path': 'source_file',
  'container.id': 'source_container',
  'vigie.stream': 'source_stream',
  'log.syslog.hostname': 'source_syslog',
};

/** SQL of the JSON path of a source field (for the backfill of logs-3); constants, never input. */
const SOURCE_JSON: Readonly<Record<string, string>> = {
  source_file: "json_extract(doc, '$.log.file.path')",
  source_container: "json_extract(doc, '$.container.id')",
  source_stream: "json_extract(doc, '$.vigie.stream')",
  source_syslog: "json_extract(doc, '$.log.syslog.hostname')",
};

export const LOG_MIGRATIONS: readonly Migration[] = [
  {
    id: 'logs-1',
    sql: `
      CREATE TABLE logs (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        ts INTEGER NOT NULL,
        day INTEGER NOT NULL,
        service TEXT NOT NULL,
        level TEXT,
        version TEXT,
        doc TEXT NOT NULL
      );
      -- Covering for the histogram and the services list of a time range.
      CREATE INDEX logs_ts ON logs (ts, service, level);
      CREATE INDEX logs_service_ts ON logs (service, ts);
      CREATE INDEX logs_service_version ON logs (service, ts) WHERE version IS NOT NULL;
      CREATE INDEX logs_day ON logs (day);
      CREATE VIRTUAL TABLE logs_fts USING fts5 (
        message, error_message, error_stack_trace,
        content = '', contentless_delete = 1,
        tokenize = "unicode61 remove_diacritics 0 tokenchars '._'''"
      );
      CREATE TABLE dead_letters (
        id TEXT PRIMARY KEY,
        ts INTEGER NOT NULL,
        reason TEXT NOT NULL,
        detail TEXT NOT NULL,
        original TEXT NOT NULL,
        origin TEXT NOT NULL
      );
      CREATE INDEX dead_letters_ts ON dead_letters (ts);
    `,
  },
  {
    // The fields that name an event's source (`contextSourceOf`), so that reading an
    // event's context does not scan the table; partial, since most events lack most of them.
    // Superseded by the columns of logs-3; kept, since a migration that has shipped is never edited.
    id: 'logs-2',
    sql: Object.entries({
      logs_source_file: SOURCE_JSON.source_file,
      logs_source_container: SOURCE_JSON.source_container,
      logs_source_stream: SOURCE_JSON.source_stream,
      logs_source_syslog: SOURCE_JSON.source_syslog,
    })
      .map(([name, expr]) => `CREATE INDEX ${name} ON logs (${expr}) WHERE ${expr} IS NOT NULL;`)
      .join('\n'),
  },
  {
    id: 'logs-3',
    sql: Object.values(SOURCE_COLUMNS)
      .map(
        (column) => `
          DROP INDEX IF EXISTS logs_${column};
          ALTER TABLE logs ADD COLUMN ${column} TEXT;
          UPDATE logs SET ${column} = ${SOURCE_JSON[column]} WHERE ${SOURCE_JSON[column]} IS NOT NULL;
          CREATE INDEX logs_${column} ON logs (${column}) WHERE ${column} IS NOT NULL;`,
      )
      .join('\n'),
  },
];

/** Text fields indexed in `logs_fts`, by dotted name, with their FTS5 column. */
export const FTS_COLUMNS: Readonly<Record<string, string>> = {
  message: 'message',
  'error.message': 'error_message',
  'error.stack_trace': 'error_stack_trace',
};

/** Epoch ms of the start of the UTC day of `time`, the unit retention deletes. */
export const DAY_MS = 86_400_000;
