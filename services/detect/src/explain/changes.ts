import type { ChangeMarker } from '../model.js';

/** How long after a version change an anomaly is said to follow it, ms. */
export const CHANGE_HORIZON_MS = 30 * 60_000;

const MAX_MARKERS = 20;

/** Versions of one service as seen in its logs, plus posted deploy markers. */
export class ChangeLog {
  private readonly markers: ChangeMarker[];
  private current: string | undefined;

  constructor(state?: { current?: string; markers: ChangeMarker[] }) {
    this.current = state?.current;
    this.markers = state ? [...state.markers] : [];
  }

  /** Notes the version an event carries; a new one after a known one is a change. */
  see(service: string, version: string | undefined, time: number): void {
    if (version === undefined || version === this.current) return;
    const first = this.current === undefined;
    this.current = version;
    if (first) return;
    if (
      this.markers.some(
        (m) => m.version === version && m.source === 'deploy' && Math.abs(m.at - time) < CHANGE_HORIZON_MS,
      )
    )
      return;
    this.add({ service, version, at: time, source: 'logs' });
  }

  add(marker: ChangeMarker): void {
    this.markers.push(marker);
    this.markers.sort((a, b) => a.at - b.at);
    if (this.markers.length > MAX_MARKERS) this.markers.shift();
  }

  /** The latest change at most `CHANGE_HORIZON_MS` before `time` (and not after it). */
  before(time: number): ChangeMarker | undefined {
    for (let i = this.markers.length - 1; i >= 0; i--) {
      const marker = this.markers[i] as ChangeMarker;
      if (marker.at > time) continue;
      return time - marker.at <= CHANGE_HORIZON_MS ? marker : undefined;
    }
    return undefined;
  }

  snapshot(): { current?: string; markers: ChangeMarker[] } {
    return this.current === undefined
      ? { markers: [...this.markers] }
      : { current: this.current, markers: [...this.markers] };
  }
}

/** "started 2 min after api 1.4.2 rolled out". */
export function describeChange(marker: ChangeMarker, start: number): string {
  const seconds = Math.max(0, Math.round((start - marker.at) / 1000));
  const after = seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
  const how = marker.source === 'deploy' ? 'was deployed' : 'rolled out';
  return `started ${after} after ${marker.service} ${marker.version} ${how}`;
}
