import type { BusRecord, LogEvent } from '@vigie/common';

const SERVICES = ['checkout', 'payments', 'search', 'auth', 'catalog', 'gateway'];
const PATHS = ['/api/cart', '/api/pay', '/api/search', '/login', '/api/items/{id}', '/health'];

/**
 * A realistic access-log style event of about 300 bytes (JSON) once serialised, fully
 * determined by `i` so that tests and benchmarks can check what comes back.
 */
export function sampleEvent(i: number, baseTime = Date.UTC(2026, 10, 28, 12)): LogEvent {
  const status = i % 97 === 0 ? 503 : i % 13 === 0 ? 404 : 200;
  return {
    '@timestamp': new Date(baseTime + i).toISOString(),
    message: `${status === 200 ? 'served' : 'failed'} id=${i} user=u${i % 500}`,
    log: { level: status >= 500 ? 'error' : 'info' },
    service: { name: SERVICES[i % SERVICES.length] as string },
    host: { name: `web-${i % 8}` },
    http: { request: { method: i % 5 === 0 ? 'POST' : 'GET' }, response: { status_code: status } },
    url: { path: PATHS[i % PATHS.length] as string },
    event: { duration: 1_000_000 + ((i * 104729) % 250_000_000) },
    trace: { id: (i * 2654435761).toString(16).padStart(16, '0').slice(-16) },
  };
}

/** `sampleEvent(i)` for i in [from, from + count), as bus records keyed by service. */
export function sampleRecords(from: number, count: number): BusRecord[] {
  const records: BusRecord[] = [];
  for (let i = from; i < from + count; i++) {
    const event = sampleEvent(i);
    records.push({ key: event.service.name, value: Buffer.from(JSON.stringify(event)) });
  }
  return records;
}
