import type { Rhythm, ServiceProfile } from './types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Busiest hour of the day (UTC); the quietest is 12 hours away. */
const PEAK_HOUR = 15;
/** Default depth of the daily cycle: nights at 25 % of the peak. */
export const DEFAULT_DAILY_AMPLITUDE = 0.75;
// Hours over which the weekend dip fades in and out around midnight, so the rate has no step.
const WEEKEND_RAMP_HOURS = 4;

/**
 * Share of the peak rate at `time` (0..1]: a cosine over the day, lowest at 03:00 UTC
 * and highest at 15:00, times the weekend dip.
 */
export function seasonality(time: number, rhythm: Rhythm & { start?: number } = {}): number {
  const origin = rhythm.origin ?? rhythm.start ?? 0;
  const clock = origin + (time - origin) * (rhythm.timeScale ?? 1);
  const amplitude = rhythm.dailyAmplitude ?? DEFAULT_DAILY_AMPLITUDE;
  const hour = (((clock % DAY) + DAY) % DAY) / HOUR;
  const daily = 1 - amplitude * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - PEAK_HOUR)) / 24));
  const weekend = rhythm.weekendFactor ?? 1;
  return weekend === 1 ? daily : daily * (1 + (weekend - 1) * weekendWeight(clock, hour));
}

/** 1 on Saturdays and Sundays, 0 on weekdays, a linear ramp across the midnights in between. */
function weekendWeight(clock: number, hour: number): number {
  const day = Math.floor(clock / DAY);
  const today = isWeekend(day);
  const half = WEEKEND_RAMP_HOURS / 2;
  if (hour < half) return lerp(isWeekend(day - 1), today, (hour + half) / WEEKEND_RAMP_HOURS);
  if (hour > 24 - half) return lerp(today, isWeekend(day + 1), (hour - 24 + half) / WEEKEND_RAMP_HOURS);
  return today;
}

function isWeekend(epochDay: number): number {
  const weekday = (((epochDay + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4)
  return weekday === 0 || weekday === 6 ? 1 : 0;
}

function lerp(a: number, b: number, f: number): number {
  return a + (b - a) * f;
}

/**
 * Mean events per second that `generateTraffic` draws for a service at `time`, outside
 * incidents: what a detector test should expect as the normal rate. Pass the scenario
 * as `rhythm` when it sets any of the rhythm options.
 */
export function ratePerSecond(
  profile: ServiceProfile,
  time: number,
  rhythm: Rhythm & { start?: number } = {},
): number {
  return profile.peakEventsPerSecond * (rhythm.rateScale ?? 1) * seasonality(time, rhythm);
}
