// Time ranges as the API takes them: relative (`now-15m`) or absolute ISO 8601.

/** Quick ranges of the time picker. */
export const QUICK_RANGES: readonly { label: string; from: string }[] = [
  { label: 'Last 15 minutes', from: 'now-15m' },
  { label: 'Last hour', from: 'now-1h' },
  { label: 'Last 24 hours', from: 'now-24h' },
  { label: 'Last 7 days', from: 'now-7d' },
];

/** Defaults of the API when from/to are absent. */
export const DEFAULT_FROM = 'now-15m';
export const DEFAULT_TO = 'now';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Epoch ms of a time expression at `now`, or NaN when it cannot be read. */
export function resolveTime(expression: string, now = Date.now()): number {
  const relative = /^now(?:-(\d+)([smhdw]))?$/.exec(expression.trim());
  if (relative) {
    const [, amount, unit] = relative;
    return amount && unit ? now - Number(amount) * (UNIT_MS[unit] ?? 0) : now;
  }
  if (/^\d+$/.test(expression)) return Number(expression);
  return Date.parse(expression);
}

/** `2026-11-28 18:20:05.123` in local time, for tables. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  );
}

/** A short description of a range for the picker button. */
export function describeRange(from: string, to: string): string {
  const quick = QUICK_RANGES.find((range) => range.from === from && to === 'now');
  if (quick) return quick.label;
  const show = (value: string) => (value.startsWith('now') ? value : formatTimestamp(value));
  return `${show(from)} → ${show(to)}`;
}

/** The value of an `<input type="datetime-local">` for an ISO time (local time). */
export function toLocalInput(iso: string): string {
  const ms = resolveTime(iso);
  if (Number.isNaN(ms)) return '';
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}

/** ISO 8601 (UTC) of an `<input type="datetime-local">` value. */
export function fromLocalInput(value: string): string {
  return new Date(value).toISOString();
}
