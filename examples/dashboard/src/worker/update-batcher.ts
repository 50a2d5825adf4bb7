import type { Boundary, EpochSummary, NetworkSnapshot, RunState, Update } from '../shared/protocol.js';

/**
 * Collects what a run reports between two messages to the page: every batch loss, every epoch's test loss, sampled
 * gradient norms, and only the newest of the epoch summary, network snapshot, boundary and state
 * (older ones would be drawn over at once). The page then gets one message per flush, not one
 * per batch.
 */
export class UpdateBatcher {
  private steps: number[] = [];
  private losses: number[] = [];
  private testSteps: number[] = [];
  private testLosses: number[] = [];
  private normSteps: number[] = [];
  private normValues: number[][];
  private epochValue: EpochSummary | undefined;
  private networkValue: NetworkSnapshot | undefined;
  private boundaryValue: Boundary | undefined;
  private stateValue: { readonly state: RunState; readonly reason?: string } | undefined;

  constructor(
    readonly run: number,
    readonly layers: number,
  ) {
    this.normValues = Array.from({ length: layers }, () => []);
  }

  /** True when there is nothing to send. */
  get empty(): boolean {
    return (
      this.steps.length === 0 &&
      this.testSteps.length === 0 &&
      this.normSteps.length === 0 &&
      this.epochValue === undefined &&
      this.networkValue === undefined &&
      this.boundaryValue === undefined &&
      this.stateValue === undefined
    );
  }

  batch(step: number, loss: number): void {
    this.steps.push(step);
    this.losses.push(loss);
  }

  /** The loss on the test points after the epoch that ended at `step`. */
  testLoss(step: number, loss: number): void {
    this.testSteps.push(step);
    this.testLosses.push(loss);
  }

  /** One sampled step's gradient-signal norm per linear layer, input side first. */
  norms(step: number, values: readonly number[]): void {
    if (values.length !== this.layers) throw new RangeError(`UpdateBatcher.norms: expected ${this.layers} values, got ${values.length}`);
    this.normSteps.push(step);
    values.forEach((v, i) => (this.normValues[i] as number[]).push(v));
  }

  epoch(summary: EpochSummary): void {
    this.epochValue = summary;
  }

  network(snapshot: NetworkSnapshot): void {
    this.networkValue = snapshot;
  }

  boundary(boundary: Boundary): void {
    this.boundaryValue = boundary;
  }

  state(state: RunState, reason?: string): void {
    this.stateValue = reason === undefined ? { state } : { state, reason };
  }

  /** The message for everything collected, and a fresh start. */
  take(): Update {
    const update: Update = {
      type: 'update',
      run: this.run,
      steps: Float64Array.from(this.steps),
      losses: Float64Array.from(this.losses),
      testSteps: Float64Array.from(this.testSteps),
      testLosses: Float64Array.from(this.testLosses),
      normSteps: Float64Array.from(this.normSteps),
      norms: this.normValues.map((v) => Float64Array.from(v)),
      ...(this.epochValue ? { epoch: this.epochValue } : {}),
      ...(this.networkValue ? { network: this.networkValue } : {}),
      ...(this.boundaryValue ? { boundary: this.boundaryValue } : {}),
      ...(this.stateValue ?? {}),
    };
    this.steps = [];
    this.losses = [];
    this.testSteps = [];
    this.testLosses = [];
    this.normSteps = [];
    this.normValues = Array.from({ length: this.layers }, () => []);
    this.epochValue = undefined;
    this.networkValue = undefined;
    this.boundaryValue = undefined;
    this.stateValue = undefined;
    return update;
  }
}
