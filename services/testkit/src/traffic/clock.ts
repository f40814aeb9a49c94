const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MILLIS = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, '0')}Z`);

/**
 * The instant of the event being built, with its text forms cached per second: formatting
 * a date costs more than building the rest of an event, and events come in runs within
 * the same second.
 */
export class Clock {
  /** Epoch ms of the current event. */
  time = 0;
  private second = Number.NaN;
  private isoPrefix = '';
  private access: string | undefined;

  /** Moves to `time` (never backwards by more than within its second). */
  set(time: number): void {
    this.time = time;
    const second = time - (time % 1000);
    if (second !== this.second) {
      this.second = second;
      this.isoPrefix = new Date(second).toISOString().slice(0, 20);
      this.access = undefined;
    }
  }

  /** `@timestamp`: ISO 8601 in UTC with milliseconds. */
  timestamp(): string {
    return this.isoPrefix + MILLIS[this.time % 1000];
  }

  /** nginx's `$time_local` in UTC: `28/Nov/2026:15:04:05 +0000`. */
  accessTime(): string {
    if (this.access === undefined) {
      const d = new Date(this.second);
      const day = String(d.getUTCDate()).padStart(2, '0');
      const clock = this.isoPrefix.slice(11, 19);
      this.access = `${day}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${clock} +0000`;
    }
    return this.access;
  }
}
