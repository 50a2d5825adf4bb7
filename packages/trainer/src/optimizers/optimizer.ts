import type { Backend, Tensor, TypedArray } from '@gradstream/tensor';

/**
 * An optimizer's state as plain JSON (for checkpoints): its name, its settings, how many steps it
 * has taken, and its per-parameter buffers (moments, velocities) as number arrays, indexed like the
 * parameters passed to `step`. Numbers, so that the state is easy to read and to build by hand;
 * a checkpoint stores the buffers in binary: `toCheckpoint(model, { optimizer: optimizer.state() })`
 * encodes them as base64 of their bytes under a checksum, and `fromCheckpoint` / `loadCheckpoint`
 * give this form back (`decodeOptimizerState` from `@gradstream/graph` decodes a checkpoint's
 * `optimizer` field alone). Float32 buffers widen to numbers exactly, so nothing is lost either way.
 *
 * @example
 * ```ts
 * import type { OptimizerState } from '@gradstream/trainer';
 * const fresh: OptimizerState = { name: 'sgd', config: { lr: 0.1 }, steps: 0, slots: {} };
 * ```
 */
export interface OptimizerState {
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly steps: number;
  /** Per-parameter buffers by slot name (e.g. `m`, `v`), each a list aligned with the parameters. */
  readonly slots: Readonly<Record<string, readonly (readonly number[])[]>>;
}

/**
 * The one interface every optimizer follows. `step` updates each parameter in place from its
 * gradient (the two arrays are aligned, in the model's parameter order) and allocates nothing once
 * its buffers exist (they are created on the first step).
 *
 * @example
 * ```ts
 * import type { Optimizer } from '@gradstream/trainer';
 * import { tsBackend } from '@gradstream/tensor';
 * const plain: Optimizer = {
 *   name: 'plain', lr: 0.1,
 *   step(params, grads, backend = tsBackend) { params.forEach((p, i) => backend.sgdUpdate(p.data, grads[i]!.data, this.lr)); },
 *   config() { return { name: 'plain', lr: this.lr }; },
 *   state() { return { name: 'plain', config: { lr: this.lr }, steps: 0, slots: {} }; },
 *   setState() {},
 * };
 * ```
 */
export interface Optimizer {
  /** Short name, e.g. `'sgd'`. */
  readonly name: string;
  /** The learning rate; schedules may change it between steps. */
  lr: number;
  /**
   * Names of the buffers kept per parameter, each shaped like it (`['m', 'v']` for Adam; none for
   * SGD): a run counts them in the memory it needs before it starts. Default: none.
   */
  readonly slots?: readonly string[];
  /**
   * Updates `params[i]` in place from `grads[i]`, with the kernels of `backend` (the model's;
   * its per-parameter buffers are allocated there on the first step).
   */
  step(params: readonly Tensor[], grads: readonly Tensor[], backend?: Backend): void;
  /** The optimizer's settings as a plain object (for the `start` event). */
  config(): Readonly<Record<string, unknown>>;
  /**
   * The buffers of its slots, once made (for a device backend, which reads them back before a
   * checkpoint); empty before the first step, or for an optimizer that keeps none.
   */
  slotArrays?(): readonly TypedArray[];
  /**
   * A JSON copy of everything needed to continue bit-identically (settings, step count, buffers as
   * number arrays; see {@link OptimizerState} for how a checkpoint stores them).
   */
  state(): OptimizerState;
  /**
   * Restores a state from {@link Optimizer.state}; a state of another optimizer is an `INVALID_OPTION`
   * error. `fit`'s `resume` hands it number arrays whatever the checkpoint held; the built-in
   * optimizers also take a checkpoint's `optimizer` field as it is, buffers encoded.
   */
  setState(state: OptimizerState): void;
}
