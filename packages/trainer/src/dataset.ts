import { INPUT, TARGET, type Model } from '@gradstream/graph';
import { GradstreamError, Tensor, formatShape, sizeOf, type Backend, type DType, type Shape, type TypedArray } from '@gradstream/tensor';
import { firstNonFinite } from './run/finite.js';
import { describeValue } from './check-option.js';

/**
 * Samples in any of the shapes people keep them: a tensor `[N, ...]`, an array of rows, an array
 * of numbers (one value per sample), or a flat typed array (split by the model's widths).
 *
 * @example
 * ```ts
 * import type { Rows } from '@gradstream/trainer';
 * const xs: Rows = [[0, 0], [0, 1], [1, 0], [1, 1]];
 * ```
 */
export type Rows = Tensor | TypedArray | readonly number[] | readonly ArrayLike<number>[];

/**
 * Inputs and targets, aligned by index.
 *
 * @example
 * ```ts
 * import type { ArrayData } from '@gradstream/trainer';
 * const xor: ArrayData = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] };
 * ```
 */
export interface ArrayData {
  readonly x: Rows;
  readonly y: Rows;
}

/**
 * Training data checked against a model and packed into two contiguous tensors, so batches are
 * gathered by copying rows into a plan's buffers (no allocation per batch).
 *
 * @example
 * ```ts
 * import { Dataset } from '@gradstream/trainer';
 * import { sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse() });
 * const data = Dataset.from({ x: [[0, 1], [1, 0]], y: [1, 1] }, model);
 * console.log(data.size); // 2
 * ```
 */
export class Dataset {
  /** Number of samples. */
  readonly size: number;
  /** Values per input row and per target row (gather runs every step: worked out once). */
  private readonly xWidth: number;
  private readonly yWidth: number;

  private constructor(
    /** Inputs, `[N, ...inputShape]`. */
    readonly x: Tensor,
    /** Targets, `[N, ...outputShape]`. */
    readonly y: Tensor,
    /** Where each side is read (for errors), and whether its finiteness is left to {@link Dataset.checkBatch}. */
    private readonly xCheck: DeferredCheck | undefined = undefined,
    private readonly yCheck: DeferredCheck | undefined = undefined,
  ) {
    this.size = x.shape[0] as number;
    this.xWidth = this.size === 0 ? 0 : x.size / this.size;
    this.yWidth = this.size === 0 ? 0 : y.size / this.size;
  }

  /**
   * Packs and checks data for a model: equal sample counts, row widths matching the model's
   * input and output, every value finite. Errors name the node that reads the value.
   *
   * With `finiteCheck: 'batches'`, tensors and typed arrays (used as they are, not copied) are not
   * read here: the values of each batch are checked as it is trained ({@link Dataset.checkBatch}),
   * so a large array is read once per epoch, not once more per call. Plain arrays are checked
   * here either way, while they are converted.
   */
  static from(data: ArrayData, model: Model, options: { readonly finiteCheck?: 'now' | 'batches' } = {}): Dataset {
    const deferred = options.finiteCheck === 'batches';
    const px = pack(data.x, model.inputShape, model.dtype, INPUT, model, deferred);
    const py = pack(data.y, model.outputShape, model.dtype, TARGET, model, deferred);
    const [x, y] = [px.tensor, py.tensor];
    if (x.shape[0] !== y.shape[0]) {
      throw new GradstreamError('INVALID_DATA', `data: x has ${x.shape[0]} samples but y has ${y.shape[0]}`, {
        xSamples: x.shape[0],
        ySamples: y.shape[0],
      });
    }
    if (x.shape[0] === 0) throw new GradstreamError('INVALID_DATA', 'data: no samples', { samples: 0 });
    return new Dataset(x, y, px.deferred, py.deferred);
  }

  /** True when {@link Dataset.checkBatch} has values to check (some side was packed with `finiteCheck: 'batches'`). */
  get checksBatches(): boolean {
    return this.xCheck !== undefined || this.yCheck !== undefined;
  }

  /**
   * Checks that the batch just copied into `xBuf` / `yBuf` — the samples `order[start …
   * start+count)` — holds only finite values, where `from` left that to the batches; throws
   * `NON_FINITE_INPUT` naming the sample, the column and the node that reads it.
   *
   * @example
   * ```ts
   * // dataset.gather(order, 0, 32, plan.x, plan.y);
   * // dataset.checkBatch(order, 0, 32, plan.x.data, plan.y.data, model.backend);
   * ```
   */
  checkBatch(order: Uint32Array, start: number, count: number, xBuf: TypedArray, yBuf: TypedArray, backend: Backend): void {
    if (this.xCheck !== undefined) checkRows(this.xCheck, xBuf, count * this.xWidth, this.xWidth, order, start, backend);
    if (this.yCheck !== undefined) checkRows(this.yCheck, yBuf, count * this.yWidth, this.yWidth, order, start, backend);
  }

  /**
   * The samples `[start, end)` as a new dataset (copied).
   *
   * @example
   * ```ts
   * // const [train, val] = [data.slice(0, 800), data.slice(800, 1000)];
   * ```
   */
  slice(start: number, end: number): Dataset {
    const n = this.size;
    const xw = this.x.size / n;
    const yw = this.y.size / n;
    const cut = (t: Tensor, w: number): Tensor => new Tensor([end - start, ...t.shape.slice(1)], t.data.slice(start * w, end * w));
    return new Dataset(cut(this.x, xw), cut(this.y, yw), this.xCheck, this.yCheck);
  }

  /**
   * The samples `[start, start+count)` as views of the dataset's arrays (not copies), for data
   * trained in order: one view per batch, made once, copied in whole.
   *
   * @example
   * ```ts
   * // const { x, y } = dataset.rows(0, 64); plan.x.data.set(x); plan.y.data.set(y);
   * ```
   */
  rows(start: number, count: number): { readonly x: TypedArray; readonly y: TypedArray } {
    return {
      x: this.x.data.subarray(start * this.xWidth, (start + count) * this.xWidth),
      y: this.y.data.subarray(start * this.yWidth, (start + count) * this.yWidth),
    };
  }

  /**
   * Copies the samples `order[start … start+count)` into the given batch buffers.
   *
   * @example
   * ```ts
   * // dataset.gather(order, 0, plan.batchSize, plan.x, plan.y);
   * ```
   */
  gather(order: Uint32Array, start: number, count: number, xOut: Tensor, yOut: Tensor): void {
    copyRows(this.x.data, order, start, count, xOut.data, this.xWidth);
    copyRows(this.y.data, order, start, count, yOut.data, this.yWidth);
  }
}

/**
 * One training sample: an input row and its target (a number for a single output).
 *
 * @example
 * ```ts
 * import type { Sample } from '@gradstream/trainer';
 * const s: Sample = { x: [0.5, 1], y: 1 };
 * ```
 */
export interface Sample {
  readonly x: ArrayLike<number> | number;
  readonly y: ArrayLike<number> | number;
}

/**
 * Collects samples from an iterable into aligned input and target rows.
 *
 * @example
 * ```ts
 * import { samplesToArrays } from '@gradstream/trainer';
 * samplesToArrays([{ x: [0, 1], y: 1 }]); // { x: [[0, 1]], y: [[1]] }
 * ```
 */
export function samplesToArrays(samples: Iterable<Sample>): ArrayData {
  const x: ArrayLike<number>[] = [];
  const y: ArrayLike<number>[] = [];
  for (const s of samples) {
    x.push(typeof s.x === 'number' ? [s.x] : s.x);
    y.push(typeof s.y === 'number' ? [s.y] : s.y);
  }
  return { x, y };
}

function copyRows(src: TypedArray, order: Uint32Array, start: number, count: number, dst: TypedArray, width: number): void {
  if (width === 1) {
    for (let r = 0; r < count; r++) dst[r] = src[order[start + r] as number] as number;
    return;
  }
  for (let r = 0; r < count; r++) {
    const from = (order[start + r] as number) * width;
    const to = r * width;
    for (let c = 0; c < width; c++) dst[to + c] = src[from + c] as number;
  }
}

function readerOf(model: Model, value: string): string {
  const node = model.nodes.find((n) => n.inputs.includes(value));
  if (node === undefined) return `data.${value}`;
  return `${node.label}, input ${node.op.inputs[node.inputs.indexOf(value)]} (data.${value})`;
}

/** A side of a dataset whose values are checked batch by batch: its name and who reads it. */
interface DeferredCheck {
  readonly value: string;
  readonly where: string;
}

function checkRows(check: DeferredCheck, buf: TypedArray, length: number, width: number, order: Uint32Array, start: number, backend: Backend): void {
  const bad = firstNonFinite(buf, backend, length);
  if (bad < 0) return;
  const sample = order[start + Math.floor(bad / width)] as number;
  throw nonFinite(check, sample, bad % width, buf[bad]);
}

function nonFinite(check: DeferredCheck, sample: number, column: number, v: unknown): GradstreamError {
  return new GradstreamError('NON_FINITE_INPUT', `${check.where}: sample ${sample}, column ${column} is ${v}; values must be finite numbers`, {
    value: check.value,
    row: sample,
    column,
  });
}

function pack(
  rows: Rows,
  sampleShape: Shape,
  dtype: DType,
  value: string,
  model: Model,
  deferFiniteCheck: boolean,
): { tensor: Tensor; deferred: DeferredCheck | undefined } {
  const width = sizeOf(sampleShape);
  const where = readerOf(model, value);
  let t: Tensor;
  if (rows instanceof Tensor) {
    t = rows.dtype === dtype ? rows : rows.clone(dtype);
    const w = t.size / Math.max(1, t.shape[0] as number);
    if (w !== width || t.shape.length < 1) widthError(where, sampleShape, t.shape);
    t = t.reshape([t.shape[0] as number, ...sampleShape]);
  } else if (ArrayBuffer.isView(rows)) {
    if (rows.length % width !== 0) widthError(where, sampleShape, [rows.length]);
    t = new Tensor([rows.length / width, ...sampleShape], dtype === 'float64' ? Float64Array.from(rows) : Float32Array.from(rows));
  } else {
    // Checked, not assumed: rows from JavaScript or a parsed file may be anything, and reading
    // `length` off it would throw a TypeError instead of saying what is wrong.
    if (!isArrayLike(rows)) rowsError(where, 'rows (an array of numbers or of arrays, a typed array or a Tensor)', rows);
    const n = rows.length;
    t = Tensor.zeros([n, ...sampleShape], dtype);
    for (let i = 0; i < n; i++) {
      const row = rows[i] as number | ArrayLike<number>;
      if (typeof row !== 'number' && !isArrayLike(row)) rowsError(where, `a number or an array of numbers for sample ${i}`, row);
      if (typeof row === 'number') {
        if (width !== 1) widthError(where, sampleShape, [n], i);
        t.data[i] = row;
      } else {
        if (row.length !== width) widthError(where, sampleShape, [n, row.length], i);
        for (let c = 0; c < width; c++) t.data[i * width + c] = row[c] as number;
      }
    }
  }
  const typed = rows instanceof Tensor || ArrayBuffer.isView(rows);
  // Typed data keeps its values as given, so a batch's check can name them as well as this one.
  if (deferFiniteCheck && typed) return { tensor: t, deferred: { value, where } };
  const bad = model.backend.firstNonFinite(t.data);
  if (bad >= 0) throw nonFinite({ value, where }, Math.floor(bad / width), bad % width, typed ? t.data[bad] : valueAt(rows, bad, width));
  return { tensor: t, deferred: undefined };
}

function valueAt(rows: readonly number[] | readonly ArrayLike<number>[], flat: number, width: number): unknown {
  const row = rows[Math.floor(flat / width)];
  return typeof row === 'number' ? row : row?.[flat % width];
}

const isArrayLike = (v: unknown): v is ArrayLike<unknown> => typeof v === 'object' && v !== null && typeof (v as { length?: unknown }).length === 'number';

function rowsError(where: string, expected: string, got: unknown): never {
  throw new GradstreamError('INVALID_DATA', `${where}: expected ${expected}, got ${describeValue(got)}`, {});
}

function widthError(where: string, sampleShape: Shape, got: Shape, row?: number): never {
  const at = row === undefined ? '' : ` (sample ${row})`;
  throw new GradstreamError(
    'SHAPE_MISMATCH',
    `${where}: expected samples of shape ${formatShape(sampleShape)}, i.e. data of shape [N,${sampleShape.join(',')}], got ${formatShape(got)}${at}`,
    { expected: [...sampleShape], actual: [...got], ...(row === undefined ? {} : { row }) },
  );
}
