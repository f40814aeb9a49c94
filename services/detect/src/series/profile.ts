/** What a {@link SeasonalProfile} keeps, as plain JSON. */
export interface ProfileState {
  periodMs: number;
  values: number[];
  spreads: number[];
}

/**
 * A seasonal profile: the usual deviation from the level at each time of a period (a day,
 * a week), kept at coarse slots and read with linear interpolation between slot centres.
 * Slots are placed by timestamp, so series at any regular interval share the same
 * profile shape, and the state is `slots` numbers whatever the rate of the series.
 */
export class SeasonalProfile {
  readonly periodMs: number;
  /** Usual deviation from the level at each slot. */
  readonly values: Float64Array;
  /**
   * Usual size of the errors at each slot (robust standard deviation): some times of day
   * are busier and noisier than others, and a sharp daily step leaves errors that
   * interpolated slots cannot remove.
   */
  readonly spreads: Float64Array;

  constructor(periodMs: number, slots: number, spread: number, state?: ProfileState) {
    this.periodMs = periodMs;
    this.values = new Float64Array(slots);
    this.spreads = new Float64Array(slots).fill(spread);
    if (state) {
      this.values.set(state.values.slice(0, slots));
      this.spreads.set(state.spreads.slice(0, slots));
    }
  }

  /** Width of one slot in milliseconds. */
  get slotMs(): number {
    return this.periodMs / this.values.length;
  }

  /** The two slots around `time` and the weight of the second one. */
  private locate(time: number): [number, number, number] {
    const slots = this.values.length;
    const phase = (((time % this.periodMs) + this.periodMs) % this.periodMs) / this.periodMs;
    const position = phase * slots - 0.5;
    const floor = Math.floor(position);
    const weight = position - floor;
    const first = (floor + slots) % slots;
    return [first, (first + 1) % slots, weight];
  }

  /** The seasonal deviation expected at `time`. */
  at(time: number): number {
    const [a, b, w] = this.locate(time);
    return (1 - w) * (this.values[a] as number) + w * (this.values[b] as number);
  }

  /** The usual size of errors at `time`. */
  spreadAt(time: number): number {
    const [a, b, w] = this.locate(time);
    return (1 - w) * (this.spreads[a] as number) + w * (this.spreads[b] as number);
  }

  /**
   * Learns `error` (observed minus predicted) and `spread` (the size of that error) at
   * `time`. Rates are the shares learned per pass through a slot; a point covering
   * `stepMs` contributes its part of a pass.
   */
  learn(time: number, error: number, rate: number, spread: number, spreadRate: number, stepMs: number): void {
    const [a, b, w] = this.locate(time);
    const share = Math.min(1, stepMs / this.slotMs);
    for (const [slot, weight] of [
      [a, 1 - w],
      [b, w],
    ] as const) {
      this.values[slot] = (this.values[slot] as number) + rate * share * weight * error;
      const current = this.spreads[slot] as number;
      this.spreads[slot] = current + spreadRate * share * weight * (spread - current);
    }
  }

  /** Plain numbers for a snapshot (full precision, so a restored detector continues identically). */
  toJSON(): ProfileState {
    return { periodMs: this.periodMs, values: Array.from(this.values), spreads: Array.from(this.spreads) };
  }
}
