import type { Model, ParamRef } from '@gradstream/graph';
import { gradients$, signalNorms$, type TrainEvent } from '@gradstream/trainer';
import { Subscription, take, type Observable } from 'rxjs';
import type { NetworkSnapshot, Topology } from '../shared/protocol.js';
import type { UpdateBatcher } from './update-batcher.js';

/** Shortest time between two gradient-norm samples, and between two network snapshots. */
const NORMS_MS = 50;
const NETWORK_MS = 100;

/**
 * What the page shows of single steps a few times a second — the gradient signal's norm at each
 * linear layer, and the gradients and weights of the network drawing — asked of the run one step
 * at a time. A run copies gradients and every node's signal into its batch events only while
 * somebody listens for them, and on WebGPU each copy is read from the GPU: listening all the time
 * would read them at every step. Each ask listens for the next step and leaves.
 *
 * Asks are made only where no step is between its reads and its event: before the run starts,
 * and while a batch event is handled (the next step is not queued yet). A WebGPU step decides
 * what it reads back before it waits for the GPU, so a listener that came during that wait would
 * get host copies the step never read.
 */
export class Samples {
  private readonly subs = new Subscription();
  private readonly weights: readonly ParamRef[];
  private normsWanted = false;
  private networkWanted = false;
  private normsAt = Number.NEGATIVE_INFINITY;
  private networkAt = Number.NEGATIVE_INFINITY;

  /** `stepping` says whether a person steps the run by hand, who then sees every step. */
  constructor(
    private readonly run$: Observable<TrainEvent>,
    private readonly model: Model,
    private readonly topology: Topology,
    private readonly batcher: UpdateBatcher,
    private readonly stepping: () => boolean,
  ) {
    this.weights = topology.linear.map((name) => {
      const ref = model.parameters().find((p) => p.id === `${name}.weight`);
      if (ref === undefined) throw new Error(`the model has no ${name}.weight`);
      return ref;
    });
  }

  /** Asks for the next step's samples that are due (all of them while stepping by hand). */
  ask(): void {
    const now = performance.now();
    const every = this.stepping();
    if (!this.normsWanted && (every || now - this.normsAt >= NORMS_MS)) this.askNorms();
    if (!this.networkWanted && (every || now - this.networkAt >= NETWORK_MS)) this.askNetwork();
  }

  dispose(): void {
    this.subs.unsubscribe();
  }

  private askNorms(): void {
    this.normsWanted = true;
    let delivered = false;
    this.subs.add(
      signalNorms$(this.run$)
        .pipe(take(1))
        .subscribe({
          next: ({ step, norms }) => {
            delivered = true;
            this.normsWanted = false;
            this.normsAt = performance.now();
            this.batcher.norms(
              step,
              this.topology.linear.map((name) => norms[name] ?? Number.NaN),
            );
            // Delivered while its step's event is handled, before the next step is queued.
            if (this.stepping()) this.askNorms();
          },
          complete: () => {
            if (!delivered) this.normsWanted = false;
          },
          // The run's own subscriber reports a failure.
          error: () => undefined,
        }),
    );
  }

  private askNetwork(): void {
    this.networkWanted = true;
    let delivered = false;
    this.subs.add(
      gradients$(this.run$)
        .pipe(take(1))
        .subscribe({
          next: ({ step, gradients }) => {
            delivered = true;
            this.networkWanted = false;
            this.networkAt = performance.now();
            const abs = (values: readonly number[] | undefined): Float32Array => Float32Array.from(values ?? [], Math.abs);
            const weightGrads = this.topology.linear.map((name) => abs(gradients[`${name}.weight`]?.values));
            const biasGrads = this.topology.linear.map((name) => abs(gradients[`${name}.bias`]?.values));
            // The weights these gradients were taken at, before the step's update: on a CPU
            // backend read now (the update follows this event in the same turn); on WebGPU read
            // back by a transfer queued now, before the update that is queued after this event.
            const show = (): void => {
              const weights = this.weights.map((ref) => Float32Array.from(ref.value.data));
              const snapshot: NetworkSnapshot = { step, weightGrads, weights, biasGrads };
              this.batcher.network(snapshot);
            };
            const sync = this.model.backend.sync;
            if (sync === undefined) show();
            else sync.download(this.weights.map((ref) => ref.value.data)).then(show, () => undefined);
            if (this.stepping()) this.askNetwork();
          },
          complete: () => {
            if (!delivered) this.networkWanted = false;
          },
          error: () => undefined,
        }),
    );
  }
}
