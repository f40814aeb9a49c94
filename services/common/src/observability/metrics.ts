import { collectDefaultMetrics, Registry } from 'prom-client';

export type { Registry } from 'prom-client';
export { Counter, Gauge, Histogram } from 'prom-client';

/** A Prometheus registry with the process metrics (CPU, memory, event loop lag) already in it. */
export function createRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}
