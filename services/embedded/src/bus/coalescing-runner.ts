/**
 * Runs `task` on request, coalescing requests: callers that arrive while a run is under
 * way share the next run, so N concurrent callers cost two runs, not N. This is the group
 * commit of the bus (one fsync for every publish waiting) and of committed offsets.
 */
export class CoalescingRunner {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly task: () => Promise<void>) {}

  /** Resolves after a run that started after this call ends. */
  request(): Promise<void> {
    if (!this.running) {
      this.running = this.task().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    if (!this.next) {
      this.next = this.running
        .catch(() => undefined)
        .then(() => {
          this.next = undefined;
          return this.request();
        });
    }
    return this.next;
  }

  /** Resolves once no run is under way or queued; never rejects. */
  async idle(): Promise<void> {
    while (this.running || this.next) await (this.next ?? this.running)?.catch(() => undefined);
  }
}
