import { describe, expect, it } from 'vitest';
import { defaultShop, generateTraffic, SCENARIO_INCIDENTS } from '../../src/index.js';
import { DAY, MONDAY } from './helpers.js';

// A file of its own: after other tests have filled the heap, the figure says more about
// the garbage collector than about the generator.
describe('generateTraffic speed', { timeout: 120_000 }, () => {
  it('generates two simulated days of the shop', () => {
    const scenario = {
      seed: 11,
      start: MONDAY,
      durationMs: 2 * DAY,
      services: defaultShop(),
      incidents: SCENARIO_INCIDENTS(MONDAY, 1),
    };
    const began = performance.now();
    const cpuBefore = process.cpuUsage();
    let count = 0;
    for (const _ of generateTraffic(scenario)) count++;
    const seconds = (performance.now() - began) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    // CPU time too: on a shared machine the wall-clock rate says more about the neighbours.
    console.log(
      `traffic: ${count} events in ${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s CPU): ` +
        `${Math.round(count / seconds)} events/s, ${Math.round(count / cpuSeconds)} per CPU-second`,
    );
    expect(count).toBeGreaterThan(800_000);
  });
});
