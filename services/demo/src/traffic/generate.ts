import type { LogEvent } from '@vigie/common';
import { Clock } from './clock.js';
import { incidentSource } from './incidents.js';
import { Rng, streamSeed } from './random.js';
import { ServiceStream } from './service-stream.js';
import { Arrivals, MAX_SOURCES, type Source } from './source.js';
import type { ServiceProfile, TrafficScenario } from './types.js';
import { clientIps } from './vocab.js';

// Distinct client addresses of the simulated user base.
const CLIENT_POOL = 4000;

/**
 * Generates a scenario's events in event-time order across all services (ties within a
 * millisecond in a fixed order), lazily: a simulated week streams in constant memory.
 * Pure: the same scenario always yields the same events; nothing reads the clock.
 *
 * Each service gets Poisson arrivals per second at `ratePerSecond`, each incident its
 * own stream of draws, so adding an incident leaves the other streams' draws as they were.
 */
export function* generateTraffic(scenario: TrafficScenario): Generator<LogEvent, void, undefined> {
  const sources = buildSources(scenario);
  const arrivals = new Arrivals();
  const clock = new Clock();
  const end = scenario.start + scenario.durationMs;
  for (let second = Math.floor(scenario.start / 1000) * 1000; second < end; second += 1000) {
    arrivals.clear();
    for (let i = 0; i < sources.length; i++) (sources[i] as Source).arrivals(second, arrivals, i);
    if (arrivals.length === 0) continue;
    const sorted = arrivals.sorted();
    for (let k = 0; k < sorted.length; k++) {
      const packed = sorted[k] as number;
      const source = packed % MAX_SOURCES;
      const time = second + (packed - source) / MAX_SOURCES;
      if (time < scenario.start) continue; // the first second may start before the scenario
      if (time >= end) return;
      clock.set(time);
      const event = (sources[source] as Source).build(clock);
      if (event !== undefined) yield event;
    }
  }
}

function buildSources(scenario: TrafficScenario): Source[] {
  const ips = clientIps(scenario.seed, CLIENT_POOL);
  const streams = new Map<string, ServiceStream>();
  for (const profile of scenario.services) {
    if (streams.has(profile.name)) throw new Error(`service ${profile.name} is listed twice`);
    checkProfile(profile);
    const rng = new Rng(streamSeed(scenario.seed, `service:${profile.name}`));
    streams.set(profile.name, new ServiceStream(profile, rng, ips, scenario, scenario.incidents));
  }
  const sources: Source[] = [...streams.values()];
  scenario.incidents.forEach((incident, index) => {
    const stream = streams.get(incident.service);
    if (stream === undefined)
      throw new Error(`incident ${index} targets unknown service ${incident.service}`);
    const rng = new Rng(streamSeed(scenario.seed, `incident:${index}:${incident.kind}`));
    const source = incidentSource(incident, stream, rng);
    if (source !== undefined) sources.push(source);
  });
  if (sources.length > MAX_SOURCES) throw new Error(`at most ${MAX_SOURCES} services and incidents`);
  return sources;
}

/** Refuses profiles that would silently generate nonsense (NaN latencies, no traffic), all problems at once. */
function checkProfile(profile: ServiceProfile): void {
  const problems: string[] = [];
  if (profile.hosts.length === 0) problems.push('no hosts');
  if (profile.routes.length === 0) problems.push('no routes');
  if (!(profile.peakEventsPerSecond >= 0)) problems.push('peakEventsPerSecond must be >= 0');
  for (const r of profile.routes) {
    const name = `${r.method} ${r.path}`;
    if (!(r.weight > 0)) problems.push(`${name}: weight must be > 0`);
    if (!(r.errorRatio >= 0 && r.errorRatio <= 1)) problems.push(`${name}: errorRatio must be within 0..1`);
    if (!(r.latencyMedianMs > 0 && r.latencyP95Ms >= r.latencyMedianMs)) {
      problems.push(`${name}: latencies need 0 < latencyMedianMs <= latencyP95Ms`);
    }
  }
  if (problems.length > 0) throw new Error(`service ${profile.name}: ${problems.join('; ')}`);
}
