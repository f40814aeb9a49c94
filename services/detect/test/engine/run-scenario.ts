import { type Anomaly, DetectionEngine } from '@vigie/detect';
import { generateTraffic, type TrafficScenario } from '@vigie/testkit';

/** Anomalies of a run: every record published, and the first record of each anomaly id. */
export interface ScenarioRun {
  records: Anomaly[];
  opened: Anomaly[];
  events: number;
  engine: DetectionEngine;
}

/** Feeds a generated scenario through a detection engine, in event order. */
export function runScenario(scenario: TrafficScenario, engine = new DetectionEngine()): ScenarioRun {
  const records: Anomaly[] = [];
  const seen = new Set<string>();
  const opened: Anomaly[] = [];
  let events = 0;
  for (const event of generateTraffic(scenario)) {
    engine.ingest({ id: `e${events}`, event });
    events++;
    if ((events & 1023) === 0) collect();
  }
  collect();
  return { records, opened, events, engine };

  function collect(): void {
    for (const anomaly of engine.drain().anomalies) {
      records.push(anomaly);
      if (!seen.has(anomaly.id)) {
        seen.add(anomaly.id);
        opened.push(anomaly);
      }
    }
  }
}

/** One line per anomaly, for failure messages and the test log. */
export function summarize(anomalies: readonly Anomaly[]): string {
  return anomalies
    .map(
      (a) =>
        `${a.start} ${a.kind} ${a.service} ${a.dimension.field ?? ''}=${a.dimension.value ?? ''} score=${a.score} :: ${a.explanation}`,
    )
    .join('\n');
}
