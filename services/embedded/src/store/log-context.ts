import type { EventContext, FieldInfo, LogEvent, SearchScope, ServiceSeen, TimeRange } from '@vigie/common';
import { contextSourceOf, FIELD_INFO_TYPES, fieldValues, LOG_FIELD_TYPES } from '@vigie/common';
import type { SqliteDatabase } from './database.js';
import { SOURCE_COLUMNS } from './log-schema.js';
import { hitOf, type LogRow, scopeCondition } from './log-search.js';
import { jsonPath } from './query-sql.js';

/**
 * How many of the most recent matching events `fields` reads: enough to list what a page
 * of results shows, bounded so that a broad query over millions of events stays fast.
 */
export const FIELDS_SAMPLE = 2_000;
/** Of those, how many are read for the keys of `labels` and `attributes`, as the memory store does. */
const KEYS_SAMPLE = 500;

/** `fields`, `context` and `listServices` of the SQLite store. */
export class LogBrowsing {
  constructor(private readonly db: SqliteDatabase) {}

  fields(scope: SearchScope): FieldInfo[] {
    const where = scopeCondition(scope);
    const events = this.db
      .prepare<unknown[], { doc: string }>(
        `SELECT logs.doc FROM logs WHERE ${where.sql} ORDER BY logs.ts DESC LIMIT ?`,
      )
      .all(...where.params, FIELDS_SAMPLE)
      .map((row) => JSON.parse(row.doc) as LogEvent);
    const out = new Map<string, FieldInfo>();
    for (const [name, type] of Object.entries(LOG_FIELD_TYPES)) {
      const typeName = FIELD_INFO_TYPES[type];
      if (typeName === undefined) continue;
      if (events.some((event) => fieldValues(event, name).length > 0))
        out.set(name, { name, type: typeName, searchable: type !== 'unindexed' });
    }
    for (const event of events.slice(0, KEYS_SAMPLE)) {
      for (const group of ['labels', 'attributes'] as const) {
        for (const key of Object.keys(event[group] ?? {}))
          out.set(`${group}.${key}`, { name: `${group}.${key}`, type: 'keyword', searchable: true });
      }
    }
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The anchor's neighbours in its source (`contextSourceOf`), ordered by the source's
   * order fields compared as one row value; an event lacking an order field sorts last,
   * as in the memory store.
   */
  context(id: string, before: number, after: number): EventContext | undefined {
    const row = this.db.prepare<[string], LogRow>('SELECT id, ts, doc FROM logs WHERE id = ?').get(id);
    if (row === undefined) return undefined;
    const anchor = hitOf(row);
    const source = contextSourceOf(anchor.event);
    const same = Object.entries(source.fields);
    const sameSql = same.map(([name]) => this.fieldSql(name)).join(' AND ');
    const sameParams = same.flatMap(([name, value]) => [...this.fieldParams(name), value]);
    const keySql = source.order.map((name) => this.orderSql(name));
    const keyParams = source.order.flatMap((name) => this.fieldParams(name));
    const tuple = `(${keySql.join(', ')})`;
    const anchorKey = source.order.map((name) => {
      const [value] = fieldValues(anchor.event, name);
      if (name === '@timestamp') return anchor.sort[0];
      return typeof value === 'number' ? value : Number.POSITIVE_INFINITY;
    });
    const marks = `(${anchorKey.map(() => '?').join(', ')})`;
    const read = (comparison: '<' | '>', direction: 'ASC' | 'DESC', limit: number) =>
      limit <= 0
        ? []
        : this.db
            .prepare<unknown[], LogRow>(
              `SELECT logs.id, logs.ts, logs.doc FROM logs WHERE ${sameSql} AND ${tuple} ${comparison} ${marks}
               ORDER BY ${keySql.map((key) => `${key} ${direction}`).join(', ')}, logs.id ${direction} LIMIT ?`,
            )
            .all(...sameParams, ...keyParams, ...anchorKey, ...keyParams, limit)
            .map(hitOf);
    return {
      source,
      anchor,
      before: read('<', 'DESC', before).reverse(),
      after: read('>', 'ASC', after),
    };
  }

  listServices(range: TimeRange, limit: number): ServiceSeen[] {
    const services = this.db
      .prepare<[number, number, number], { name: string; events: number }>(
        `SELECT service AS name, count(*) AS events FROM logs WHERE ts BETWEEN ? AND ?
         GROUP BY service ORDER BY events DESC, service ASC LIMIT ?`,
      )
      .all(range.from, range.to, limit);
    const latestVersion = this.db.prepare<[string, number, number], { version: string }>(
      `SELECT version FROM logs
       WHERE service = ? AND ts BETWEEN ? AND ? AND version IS NOT NULL ORDER BY ts DESC LIMIT 1`,
    );
    return services.map((service) => ({
      ...service,
      version: latestVersion.get(service.name, range.from, range.to)?.version ?? null,
    }));
  }

  private fieldSql(name: string): string {
    if (name === 'service.name') return 'logs.service = ?';
    const column = SOURCE_COLUMNS[name];
    return column !== undefined ? `logs.${column} = ?` : 'json_extract(logs.doc, ?) = ?';
  }

  private fieldParams(name: string): string[] {
    if (name === 'service.name' || name === '@timestamp' || SOURCE_COLUMNS[name] !== undefined) return [];
    return [jsonPath(name)];
  }

  private orderSql(name: string): string {
    if (name === '@timestamp') return 'logs.ts';
    // Order fields (`log.offset`, `event.sequence`) are numbers by the event schema.
    return 'IFNULL(json_extract(logs.doc, ?), 9e999)';
  }
}
