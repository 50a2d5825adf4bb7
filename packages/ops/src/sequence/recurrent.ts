import { shapeError, type ParamDecl } from '@gradstream/graph';
import { GradstreamError, initSpecSchema, type Backend, type InitSpec, type Shape, type TypedArray } from '@gradstream/tensor';

/**
 * What {@link gruOp} and {@link lstmOp} share in their configuration.
 *
 * @example
 * ```ts
 * import type { RecurrentConfig } from '@gradstream/ops';
 * const c: RecurrentConfig = { units: 32, returnSequences: true };
 * ```
 */
export interface RecurrentConfig {
  /** Size of the state h (the output's last axis). */
  readonly units: number;
  /** Output the state after every step, `[batch, steps, units]`, rather than after the last, `[batch, units]` (default false). */
  readonly returnSequences?: boolean;
  /** Features per step, the input's last axis (default: read off the input). */
  readonly inputSize?: number;
  /** Initializer of the input weights (default `glorotUniform`). */
  readonly weightInit?: InitSpec;
  /** Initializer of the recurrent weights (default `glorotUniform`). */
  readonly recurrentInit?: InitSpec;
  /** Initializer of the biases (default `zeros`). */
  readonly biasInit?: InitSpec;
}

/** The schema of those fields; `inputSize` has no default, so that the input's last axis fills it in. */
export const RECURRENT_PROPERTIES = {
  units: { type: 'integer', minimum: 1 },
  returnSequences: { type: 'boolean', default: false },
  inputSize: { type: 'integer', minimum: 1 },
  weightInit: { ...initSpecSchema, default: { type: 'glorotUniform' } },
  recurrentInit: { ...initSpecSchema, default: { type: 'glorotUniform' } },
  biasInit: { ...initSpecSchema, default: { type: 'zeros' } },
} as const;

/** `inputSize` from the last axis of `x`, `[batch, steps, features]`. */
export function recurrentFromInputs([x]: readonly Shape[]): Partial<RecurrentConfig> {
  return x !== undefined && x.length === 3 ? { inputSize: x[2] ?? 0 } : {};
}

/** `[batch, units]`, or `[batch, steps, units]` with `returnSequences`, from `x` of `[batch, steps, inputSize]`. */
export function recurrentShape([x]: readonly Shape[], c: RecurrentConfig): Shape {
  if (x === undefined || x.length !== 3) shapeError('x', '[batch,steps,features]', x ?? []);
  if (c.inputSize !== undefined && x[2] !== c.inputSize) shapeError('x', `[batch,steps,${c.inputSize}] (last axis = inputSize)`, x);
  const batch = x[0] ?? 0;
  return c.returnSequences === true ? [batch, x[1] ?? 0, c.units] : [batch, c.units];
}

/** The input size the engine filled in (or the layer gave). */
export function inputSizeOf(op: string, c: RecurrentConfig): number {
  if (c.inputSize === undefined) {
    throw new GradstreamError('INVALID_CONFIG', `${op}: inputSize is neither given nor read off an input [batch,steps,features]`, { op });
  }
  return c.inputSize;
}

/**
 * The weights of `gates` gates stacked along the rows, as PyTorch stacks them: `weight`
 * `[gates·units, inputSize]`, `recurrentWeight` `[gates·units, units]`, and a bias `[gates·units]`.
 */
export function recurrentWeights(op: string, c: RecurrentConfig, gates: number): Readonly<Record<'weight' | 'recurrentWeight' | 'bias', ParamDecl>> {
  const inputSize = inputSizeOf(op, c);
  const rows = gates * c.units;
  return {
    weight: { shape: [rows, inputSize], init: c.weightInit ?? { type: 'glorotUniform' }, fanIn: inputSize, fanOut: rows },
    recurrentWeight: { shape: [rows, c.units], init: c.recurrentInit ?? { type: 'glorotUniform' }, fanIn: c.units, fanOut: rows },
    bias: { shape: [rows], init: c.biasInit ?? { type: 'zeros' }, fanIn: inputSize, fanOut: rows },
  };
}

/**
 * The buffers both layers keep, for `x` of `[batch, steps, ·]`, `gates` gates of `units` and
 * `cached` values per unit and step for backward.
 */
export function recurrentScratch([x]: readonly Shape[], units: number, gates: number, cached: number): Record<'proj' | 'step' | 'h' | 'hPrev' | 'cache', Shape> {
  const batch = x?.[0] ?? 0;
  const steps = x?.[1] ?? 0;
  return {
    // The input projections of every step; in backward, their gradient.
    proj: [batch, steps, gates * units],
    // One step's recurrent projection; in backward, its gradient.
    step: [batch, gates * units],
    // The state; in backward, ∂L/∂h.
    h: [batch, units],
    // The state before each step, for the recurrent weights' gradient.
    hPrev: [batch, steps, units],
    // What the cell kernel keeps of each step for its backward.
    cache: [batch, steps, cached * units],
  };
}

/**
 * Writes the layer's output after the last step: the final state, or every step's state — the
 * states before steps 1…T−1 (kept in `hPrev`) and the final one.
 */
export function writeStates(backend: Backend, hPrev: TypedArray, h: TypedArray, out: TypedArray, batch: number, steps: number, units: number, all: boolean): void {
  if (!all) return backend.copy(h, out);
  const row = steps * units;
  backend.copyBlocks(hPrev, out, batch, (steps - 1) * units, row, row, units, 0);
  backend.copyBlocks(h, out, batch, units, units, row, 0, (steps - 1) * units);
}

/** ∂L/∂h before the last step walked back: the gradient of the final state, or zeros when every state is an output (each step adds its own). */
export function startStates(backend: Backend, dy: TypedArray, dh: TypedArray, all: boolean): void {
  if (all) backend.fill(dh, 0);
  else backend.copy(dy, dh);
}

/** Adds the output gradient of step `t` into `dh` when every state is an output. */
export function addStepGradient(backend: Backend, dy: TypedArray, dh: TypedArray, batch: number, steps: number, t: number, units: number, all: boolean): void {
  if (all) backend.copyBlocks(dy, dh, batch, units, steps * units, units, t * units, 0, true);
}
