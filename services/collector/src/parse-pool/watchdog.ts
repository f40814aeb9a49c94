import { Slot } from './protocol.js';
import { threadCpuMs } from './thread-cpu.js';

/**
 * A step that has taken the budget in wall time but not in CPU time (its thread was not
 * scheduled: a busy machine) is given up to this many budgets before it counts as stuck.
 */
const STARVED_BUDGETS = 20;

/** What the watchdog knows of a worker's task between two looks at its progress board. */
export interface TaskProgress {
  /** Id of the task. */
  id: number;
  /** Last value of the `started` slot seen, and when it was first seen. */
  started: number;
  seenAt: number;
  /** CPU time of the worker's thread when the step was first seen over its budget, ms. */
  cpuMark?: number;
}

/** The step a worker overran: the line's index in its task, and whether it parsed or redacted it. */
export interface OverrunStep {
  line: number;
  step: 'parse' | 'redaction';
}

/**
 * Looks at a busy worker's progress board: the step it has been on for longer than the
 * budget, or undefined when it moves on (updating `progress`). Where the worker's CPU
 * time can be read (`tid`, Linux), the step must also use a budget of CPU time from then
 * on, or go `STARVED_BUDGETS` budgets without moving: on a machine shared with busier
 * work, a thread that waits for a core is not cut short for it, and a line that loops is
 * still cut after about two budgets.
 */
export function overrunStep(
  board: Int32Array,
  progress: TaskProgress,
  tid: number | undefined,
  budgetMs: number,
  now: number,
): OverrunStep | undefined {
  // Not begun yet, or finished with its result on the way: nothing is stuck.
  if (Atomics.load(board, Slot.task) !== progress.id || Atomics.load(board, Slot.done) === progress.id) {
    progress.seenAt = now;
    return undefined;
  }
  // Line and phase are read before the step count, which the worker bumps after them:
  // an unchanged count then vouches that they name the step that overran.
  const line = Atomics.load(board, Slot.line);
  const phase = Atomics.load(board, Slot.phase);
  const started = Atomics.load(board, Slot.started);
  if (started !== progress.started) {
    progress.started = started;
    progress.seenAt = now;
    progress.cpuMark = undefined;
    return undefined;
  }
  if (now - progress.seenAt < budgetMs) return undefined;
  const cpu = tid === undefined ? undefined : threadCpuMs(tid);
  if (cpu !== undefined && now - progress.seenAt < budgetMs * STARVED_BUDGETS) {
    if (progress.cpuMark === undefined) progress.cpuMark = cpu;
    if (cpu - progress.cpuMark < budgetMs) return undefined;
  }
  return { line, step: phase === 0 ? 'parse' : 'redaction' };
}
