import type { LogEvent } from './api.js';

/** One leaf of an event, with its dotted ECS name. */
export interface FieldValue {
  name: string;
  value: string | number | boolean | null;
}

/** Flattens a nested event into dotted leaves, sorted by name; arrays are shown as JSON. */
export function flattenEvent(event: LogEvent): FieldValue[] {
  const out: FieldValue[] = [];
  const walk = (value: unknown, path: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key);
      return;
    }
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    ) {
      out.push({ name: path, value });
    } else {
      out.push({ name: path, value: JSON.stringify(value) ?? '' });
    }
  };
  walk(event, '');
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The level of an event in lower case, `unknown` when absent. */
export function levelOf(event: LogEvent): string {
  const level = event.log?.level;
  return typeof level === 'string' && level ? level.toLowerCase() : 'unknown';
}

/** Colour class for a level: the few the UI knows, others grouped as `other`. */
export function levelClass(level: string): string {
  return ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(level)
    ? `level-${level}`
    : 'level-other';
}
