import type { TypedArray } from '../dtype.js';

/**
 * The kernels of embeddings, concatenation and recurrent cells: part of the {@link Kernels} contract every backend implements.
 *
 * Recurrent layers keep their sequences batch-major, `[batch, steps, width]`, as the layers' inputs
 * and outputs are; a cell kernel reads and writes step `step` of such a buffer in place (row
 * `b·steps + step`), so no step needs a view. What one step's matmul reads or writes (the state
 * `h`, the recurrent projection) is contiguous, `[batch, width]`.
 *
 * @example
 * ```ts
 * import { tsBackend, type SequenceKernels } from '@gradstream/tensor';
 * const k: SequenceKernels = tsBackend;
 * ```
 */
export interface SequenceKernels {
  /**
   * `out[r, :] = table[ids[r], :]` for the `batch·steps` ids (rows of `dim` values); an id that is
   * not an integer in `[0, vocab)` is an `INVALID_DATA` error naming `label`, the id's position
   * `[b, t]` and its value.
   */
  gatherRows(table: TypedArray, ids: TypedArray, out: TypedArray, batch: number, steps: number, dim: number, vocab: number, label?: string): void;
  /** `dTable[ids[r], :] += dOut[r, :]` for the `batch·steps` ids, in order (an id that repeats adds each of its rows); ids checked as `gatherRows` does. */
  scatterAddRows(dOut: TypedArray, ids: TypedArray, dTable: TypedArray, batch: number, steps: number, dim: number, vocab: number, label?: string): void;
  /**
   * `count` blocks of `block` values: `dst[dstOffset + i·dstStride + j] = src[srcOffset + i·srcStride + j]`
   * (`+=` with `accumulate`). Concatenation, and one time step of a batch-major sequence.
   */
  copyBlocks(
    src: TypedArray,
    dst: TypedArray,
    count: number,
    block: number,
    srcStride: number,
    dstStride: number,
    srcOffset: number,
    dstOffset: number,
    accumulate?: boolean,
  ): void;
  /**
   * One GRU step (PyTorch's equations, gates r, z, n): from the input projections `xProj`
   * (`[batch, steps, 3·units]`, read at `step`) and the recurrent ones `hProj` (`[batch, 3·units]`,
   * biases included), `h ← (1 − z) ⊙ n + z ⊙ h` in place; the previous `h` is kept in `hPrev`
   * (`[batch, steps, units]`) and r, z, n and the recurrent n projection in `cache`
   * (`[batch, steps, 4·units]`), both at `step`.
   */
  gruCell(xProj: TypedArray, hProj: TypedArray, h: TypedArray, hPrev: TypedArray, cache: TypedArray, batch: number, steps: number, step: number, units: number): void;
  /**
   * Backward of {@link SequenceKernels.gruCell} at `step`: from `dh` (`∂L/∂h` after the step,
   * `[batch, units]`), the gradients of the step's input projections into `dx` and of its recurrent
   * projections into `dRecSeq` (both `[batch, steps, 3·units]`, at `step`) and `dRec`
   * (`[batch, 3·units]`); `dh` becomes the part of `∂L/∂h` before the step that does not pass
   * through the recurrent weights (`z ⊙ dh`).
   */
  gruCellBackward(
    cache: TypedArray,
    hPrev: TypedArray,
    dh: TypedArray,
    dx: TypedArray,
    dRecSeq: TypedArray,
    dRec: TypedArray,
    batch: number,
    steps: number,
    step: number,
    units: number,
  ): void;
  /**
   * One LSTM step (PyTorch's equations, gates i, f, g, o): pre-activations `xProj[:, step] + hProj`
   * (`[batch, steps, 4·units]` and `[batch, 4·units]`), then `c ← f ⊙ c + i ⊙ g` and
   * `h ← o ⊙ tanh(c)` in place; the previous `h` is kept in `hPrev` (`[batch, steps, units]`) and
   * i, f, g, o, the previous c and tanh of the new one in `cache` (`[batch, steps, 6·units]`).
   */
  lstmCell(xProj: TypedArray, hProj: TypedArray, h: TypedArray, c: TypedArray, hPrev: TypedArray, cache: TypedArray, batch: number, steps: number, step: number, units: number): void;
  /**
   * Backward of {@link SequenceKernels.lstmCell} at `step`: from `dh` (`∂L/∂h` after the step) and
   * `dc` (`∂L/∂c` from the steps after it), the gradient of the step's pre-activations into `dx`
   * (`[batch, steps, 4·units]`, at `step`) and into `dRec` (`[batch, 4·units]`); `dc` becomes
   * `∂L/∂c` before the step. `dh` is read only.
   */
  lstmCellBackward(cache: TypedArray, dh: TypedArray, dc: TypedArray, dx: TypedArray, dRec: TypedArray, batch: number, steps: number, step: number, units: number): void;
}

/**
 * The names of the {@link SequenceKernels}, once each.
 *
 * @example
 * ```ts
 * import { SEQUENCE_KERNEL_NAMES } from '@gradstream/tensor';
 * SEQUENCE_KERNEL_NAMES.includes('gruCell'); // true
 * ```
 */
export const SEQUENCE_KERNEL_NAMES = Object.freeze([
  'gatherRows',
  'scatterAddRows',
  'copyBlocks',
  'gruCell',
  'gruCellBackward',
  'lstmCell',
  'lstmCellBackward',
] as const satisfies readonly (keyof SequenceKernels)[]);
