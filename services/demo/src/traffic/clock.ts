const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
const MILLIS = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, '0')}Z`);
const DAY = 86_400_000;

/**
 * The instant of the event being built, with its text forms built from cached pieces:
 * at a few events per second nearly every event starts a new second, and `Date`
 * formatting would cost more than building the rest of the event.
 */
export class Clock {
  /** Epoch ms of the current event. */
  time = 0;
  private day = Number.NaN;
  private datePrefix = ''; // 2026-11-28T
  private accessDate = ''; // 28/Nov/2026:
  private hms = ''; // 15:04:05

  /** Moves to `time`. */
  set(time: number): void {
    this.time = time;
    const day = Math.floor(time / DAY);
    if (day !== this.day) {
      this.day = day;
      const date = new Date(day * DAY);
      this.datePrefix = date.toISOString().slice(0, 11);
      const dd = TWO_DIGITS[date.getUTCDate()] as string;
      this.accessDate = `${dd}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:`;
    }
    const seconds = Math.floor((time - day * DAY) / 1000);
    const h = TWO_DIGITS[Math.floor(seconds / 3600)] as string;
    this.hms = `${h}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}`;
  }

  /** `@timestamp`: ISO 8601 in UTC with milliseconds. */
  timestamp(): string {
    return `${this.datePrefix}${this.hms}.${MILLIS[this.time % 1000]}`;
  }

  /** nginx's `$time_local` in UTC: `28/Nov/2026:15:04:05 +0000`. */
  accessTime(): string {
    return `${this.accessDate}${this.hms} +0000`;
  }
}
