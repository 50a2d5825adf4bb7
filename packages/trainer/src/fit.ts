import { Observable } from 'rxjs';
import type { Model, Plan } from '@gradstream/graph';
import { GradstreamError, Rng, sumSquares, type Tensor } from '@gradstream/tensor';
import { Dataset, type ArrayData } from './dataset.js';
import type { BatchEvent, EndEvent, NodeTrace, TrainEvent } from './events.js';
import type { Optimizer } from './optimizers/optimizer.js';
import { sgd } from './optimizers/sgd.js';
import { snapshotAll, snapshotTensor } from './snapshot.js';
import { yieldToEventLoop } from './yield.js';

/**
 * Options of {@link fit}.
 *
 * @example
 * ```ts
 * import { sgd, type FitOptions } from '@gradstream/trainer';
 * const options: FitOptions = { epochs: 100, batchSize: 4, optimizer: sgd({ lr: 0.5 }), seed: 1 };
 * ```
 */
export interface FitOptions {
  /** Passes over the data. */
  readonly epochs: number;
  /** Samples per step (default 32, capped at the number of samples). The last batch may be smaller. */
  readonly batchSize?: number;
  /** Default `sgd({ lr: 0.01 })`. */
  readonly optimizer?: Optimizer;
  /** Seed of the shuffling order (default 0). The model's initial weights come from its own seed. */
  readonly seed?: number;
  /** Reshuffle the samples every epoch (default true). */
  readonly shuffle?: boolean;
  /** Attach each parameter's gradient to every batch event (copies; default false). */
  readonly gradients?: boolean;
  /** Attach every node's output and gradient signal to every batch event (copies; default false). */
  readonly trace?: boolean;
  /** Emit a `params` snapshot after every N steps, or after each epoch with `'epoch'` (default: never). */
  readonly params?: number | 'epoch';
  /** Longest stretch, in milliseconds, to compute before yielding to the event loop (default 20). */
  readonly sliceMs?: number;
}

interface CompiledBatch {
  readonly plan: Plan;
  readonly grads: readonly Tensor[];
}

/**
 * Trains a model and reports it as a **cold** Observable of {@link TrainEvent}s: nothing runs until
 * you subscribe; each subscription is an independent run (use `share()` to fan one run out);
 * unsubscribing stops training at the next batch boundary and drops the run's buffers. The run
 * yields to the event loop every `sliceMs`, so timers and UIs stay live.
 *
 * Each step runs a compiled plan: forward, backward, then the optimizer updates every parameter
 * in place. A step whose loss or gradients are not finite is not applied: the run ends with
 * reason `diverged` and the parameters stay as they were.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { linear, sigmoid, mse } from '@gradstream/ops';
 * import { fit, loss$, sgd } from '@gradstream/trainer';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 8 }), sigmoid(), linear({ inFeatures: 8, outFeatures: 1 })], {
 *   inputShape: [2], loss: mse(), seed: 1,
 * });
 * const run$ = fit(model, { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] }, { epochs: 2000, batchSize: 4, optimizer: sgd({ lr: 2 }) });
 * loss$(run$).subscribe((loss) => console.log(loss));
 * ```
 * @returns a cold Observable of training events
 */
export function fit(model: Model, data: ArrayData, options: FitOptions): Observable<TrainEvent> {
  return new Observable<TrainEvent>((subscriber) => {
    let cancelled = false;
    const plans = new Map<number, CompiledBatch>();
    const emit = (e: TrainEvent): boolean => {
      if (cancelled || subscriber.closed) return false;
      subscriber.next(e);
      return !cancelled && !subscriber.closed;
    };

    const run = async (): Promise<void> => {
      const epochs = options.epochs;
      if (!Number.isInteger(epochs) || epochs < 0) {
        throw new GradstreamError('INVALID_OPTION', `fit: epochs must be a non-negative integer, got ${epochs}`, { epochs });
      }
      const dataset = Dataset.from(data, model);
      const n = dataset.size;
      const requested = options.batchSize ?? 32;
      if (!Number.isInteger(requested) || requested < 1) {
        throw new GradstreamError('INVALID_OPTION', `fit: batchSize must be a positive integer, got ${requested}`, { batchSize: requested });
      }
      const batchSize = Math.min(requested, n);
      const optimizer = options.optimizer ?? sgd();
      const seed = options.seed ?? 0;
      const shuffle = options.shuffle ?? true;
      const sliceMs = options.sliceMs ?? 20;
      const rng = Rng.fromSeed(seed);
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      const refs = model.parameters();
      const params = refs.map((p) => p.value);
      const compiled = (size: number): CompiledBatch => {
        let c = plans.get(size);
        if (c === undefined) {
          const plan = model.compile(size);
          c = { plan, grads: refs.map((p) => plan.paramGrads.get(p.id) as Tensor) };
          plans.set(size, c);
        }
        return c;
      };

      if (!emit({ type: 'start', seed, config: { epochs, batchSize, shuffle, samples: n, optimizer: optimizer.config() } })) return;
      let step = 0;
      let lastEpochLoss = Number.NaN;
      let sliceStart = performance.now();
      const outWidth = dataset.y.size / n;
      for (let epoch = 1; epoch <= epochs; epoch++) {
        if (!emit({ type: 'epochStart', epoch })) return;
        if (shuffle) rng.shuffle(order);
        let lossSum = 0;
        let sqErrSum = 0;
        let batch = 0;
        for (let start = 0; start < n; start += batchSize) {
          if (cancelled) return;
          const size = Math.min(batchSize, n - start);
          const { plan, grads } = compiled(size);
          dataset.gather(order, start, size, plan.x, plan.y);
          const loss = plan.forward(true);
          plan.backward();
          step++;
          batch++;
          const gradNorms: Record<string, number> = {};
          let bad: string | undefined = Number.isFinite(loss) ? undefined : 'loss';
          for (let i = 0; i < refs.length; i++) {
            const norm = Math.sqrt(sumSquares((grads[i] as Tensor).data));
            gradNorms[(refs[i] as { id: string }).id] = norm;
            if (bad === undefined && !Number.isFinite(norm)) bad = `gradient of ${(refs[i] as { id: string }).id}`;
          }
          if (bad !== undefined) {
            const end: EndEvent = { type: 'end', reason: 'diverged', epochs: epoch - 1, steps: step - 1, loss: lastEpochLoss, divergence: { step, epoch, where: bad } };
            if (emit(end)) subscriber.complete();
            return;
          }
          const event: BatchEvent = {
            type: 'batch',
            epoch,
            step,
            batch,
            size,
            loss,
            lr: optimizer.lr,
            gradNorms,
            ...(options.gradients ? { gradients: snapshotAll(refs.map((p, i) => [p.id, grads[i] as Tensor] as const)) } : {}),
            ...(options.trace ? { trace: traceOf(plan) } : {}),
          };
          optimizer.step(params, grads);
          lossSum += loss * size;
          sqErrSum += squaredError(plan, model.output, outWidth * size);
          if (!emit(event)) return;
          if (typeof options.params === 'number' && step % options.params === 0) {
            if (!emit({ type: 'params', epoch, step, params: snapshotAll(refs.map((p) => [p.id, p.value] as const)) })) return;
          }
          if (performance.now() - sliceStart > sliceMs) {
            await yieldToEventLoop();
            sliceStart = performance.now();
          }
        }
        lastEpochLoss = lossSum / n;
        if (!emit({ type: 'epoch', epoch, step, loss: lastEpochLoss, metrics: { mse: sqErrSum / (n * outWidth) } })) return;
        if (options.params === 'epoch') {
          if (!emit({ type: 'params', epoch, step, params: snapshotAll(refs.map((p) => [p.id, p.value] as const)) })) return;
        }
      }
      if (emit({ type: 'end', reason: 'completed', epochs, steps: step, loss: lastEpochLoss })) subscriber.complete();
    };

    run()
      .catch((err: unknown) => {
        if (!subscriber.closed) subscriber.error(err);
      })
      .finally(() => plans.clear());
    return () => {
      cancelled = true;
      plans.clear();
    };
  });
}

/** Sum of squared prediction errors over a batch (the plan's prediction against its target). */
function squaredError(plan: Plan, output: string, count: number): number {
  const p = (plan.values.get(output) as Tensor).data;
  const t = plan.y.data;
  let s = 0;
  for (let i = 0; i < count; i++) {
    const d = (p[i] as number) - (t[i] as number);
    s += d * d;
  }
  return s;
}

function traceOf(plan: Plan): readonly NodeTrace[] {
  return Object.freeze(
    plan.model.nodes.map((node) =>
      Object.freeze({
        node: node.name,
        op: node.op.name,
        output: snapshotTensor(plan.values.get(node.name) as Tensor),
        signal: snapshotTensor(plan.grads.get(node.name) as Tensor),
      }),
    ),
  );
}
