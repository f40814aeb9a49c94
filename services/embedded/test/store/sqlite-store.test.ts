import type { SearchableStore } from '@vigie/testkit';
import { describeLogSearchContract, describeLogStoreContract, MemoryStore } from '@vigie/testkit';
import { afterAll } from 'vitest';
import type { SqliteStore } from '../../src/index.js';
import { removeTempStores, tempStore } from './temp-store.js';

afterAll(removeTempStores);

describeLogStoreContract('SqliteStore', async () => tempStore());

/**
 * The log side of the search contract on SQLite. Anomalies and bucket metrics (written
 * through `DetectionStore`, read by `searchAnomalies`, `listMetrics`, `serviceSeries` and
 * `routeLatency`) are served by a `MemoryStore` until the SQLite store has its detection
 * tables: every log-side case (pages, filters, highlight, histogram, fields, top values,
 * context, services) runs on SQLite.
 */
function logsOnSqlite(): SearchableStore {
  const logs: SqliteStore = tempStore();
  const detection = new MemoryStore();
  return {
    healthcheck: () => logs.healthcheck(),
    setup: () => logs.setup(),
    writeLogs: (l) => logs.writeLogs(l),
    writeDeadLetters: (l) => logs.writeDeadLetters(l),
    refresh: () => logs.refresh(),
    countLogs: (f) => logs.countLogs(f),
    getLog: (id) => logs.getLog(id),
    listDeadLetters: (n) => logs.listDeadLetters(n),
    close: () => logs.close(),
    search: (r) => logs.search(r),
    histogram: (s, i) => logs.histogram(s, i),
    fields: (s) => logs.fields(s),
    topValues: (s, f, n) => logs.topValues(s, f, n),
    context: (id, b, a) => logs.context(id, b, a),
    listServices: (r, n) => logs.listServices(r, n),
    setupDetection: () => detection.setupDetection(),
    writeAnomalies: (a) => detection.writeAnomalies(a),
    writeMetrics: (m) => detection.writeMetrics(m),
    listAnomalies: (f) => detection.listAnomalies(f),
    getAnomaly: (id) => detection.getAnomaly(id),
    saveState: (k, s) => detection.saveState(k, s),
    loadState: (k) => detection.loadState(k),
    searchAnomalies: (q) => detection.searchAnomalies(q),
    listMetrics: (q) => detection.listMetrics(q),
    serviceSeries: (r, i, n) => detection.serviceSeries(r, i, n),
    routeLatency: (q) => detection.routeLatency(q),
  };
}

describeLogSearchContract('SqliteStore (logs; detection reads on MemoryStore for now)', async () =>
  logsOnSqlite(),
);
