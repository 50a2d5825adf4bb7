/**
 * How many batches to grant on one tick of a speed limit: the rate's share of the elapsed time is
 * added to a fractional budget, whole batches are taken from it, and nothing is added while the
 * run still owes more than `maxBacklog` batches (a slow machine then runs as fast as it can
 * instead of piling up work).
 */
export function stepsDue(
  budget: number,
  stepsPerSecond: number,
  elapsedMs: number,
  backlog: number,
  maxBacklog: number,
): { readonly steps: number; readonly budget: number } {
  const next = backlog > maxBacklog ? budget : budget + (stepsPerSecond * elapsedMs) / 1000;
  const steps = Math.floor(next);
  return { steps, budget: next - steps };
}

/**
 * Runs a paused training run at a set pace by granting it batches through its control stream
 * (`{ type: 'step', count }`) a few dozen times a second.
 */
export class Pacer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private budget = 0;
  private granted = 0;
  private last = 0;

  /**
   * @param grant - asks the run for that many more batches
   * @param done - batches the run has trained so far
   */
  constructor(
    private readonly grant: (count: number) => void,
    private readonly done: () => number,
  ) {}

  start(stepsPerSecond: number): void {
    this.stop();
    this.budget = 0;
    this.granted = this.done();
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const due = stepsDue(this.budget, stepsPerSecond, now - this.last, this.granted - this.done(), Math.max(1, stepsPerSecond / 4));
      this.last = now;
      this.budget = due.budget;
      if (due.steps > 0) {
        this.granted += due.steps;
        this.grant(due.steps);
      }
    }, 25);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
