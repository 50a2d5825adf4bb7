import { allocate, dtypeOf, type DType, type TypedArray } from './dtype.js';
import { GradstreamError } from './errors.js';
import { checkShape, formatShape, sizeOf, type Shape } from './shape.js';

/**
 * Numbers nested as deeply as a tensor has axes: `number` for a scalar, `number[][]` for a matrix.
 *
 * @example
 * ```ts
 * import type { NestedArray } from '@gradstream/tensor';
 * const matrix: NestedArray = [[1, 2], [3, 4]];
 * ```
 */
export type NestedArray = number | readonly NestedArray[];

/**
 * A dense, row-major array of numbers with a shape. The data lives in a `Float32Array`
 * (training) or `Float64Array` (gradient checks). Tensors are plain holders: kernels read
 * and write their `data` directly, and a tensor never reallocates its buffer.
 *
 * Because it is a class (not a plain object), immer leaves its buffer alone when a tensor
 * sits inside immutable state.
 *
 * @example
 * ```ts
 * import { Tensor } from '@gradstream/tensor';
 * const x = Tensor.from([[1, 2], [3, 4]]);
 * console.log(x.shape, x.at(1, 0)); // [2, 2] 3
 * ```
 */
export class Tensor {
  /** Length of each axis, outermost first. */
  readonly shape: Shape;
  /** Element type of `data`. */
  readonly dtype: DType;
  /** The elements in row-major order. */
  readonly data: TypedArray;
  /** Number of elements (the product of `shape`). */
  readonly size: number;

  /**
   * Wraps an existing buffer (no copy).
   *
   * @param shape - axis lengths; their product must equal `data.length`
   * @param data - the buffer to wrap
   */
  constructor(shape: Shape, data: TypedArray) {
    this.shape = checkShape(shape);
    this.size = sizeOf(shape);
    if (data.length !== this.size) {
      throw new GradstreamError(
        'SHAPE_MISMATCH',
        `Tensor: shape ${formatShape(shape)} holds ${this.size} elements, buffer has ${data.length}`,
        { shape: [...shape], length: data.length },
      );
    }
    this.data = data;
    this.dtype = dtypeOf(data);
  }

  /**
   * A zero-filled tensor.
   *
   * @example
   * ```ts
   * import { Tensor } from '@gradstream/tensor';
   * Tensor.zeros([2, 3]).size; // 6
   * ```
   */
  static zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
    return new Tensor(shape, allocate(dtype, sizeOf(checkShape(shape))));
  }

  /**
   * A tensor copied from nested arrays (shape inferred) or from a flat list with an explicit shape.
   * Ragged nesting throws a `SHAPE_MISMATCH` error naming the first bad path.
   *
   * @example
   * ```ts
   * import { Tensor } from '@gradstream/tensor';
   * Tensor.from([[1, 2, 3]]).shape;            // [1, 3]
   * Tensor.from([1, 2, 3, 4], { shape: [2, 2] }).shape; // [2, 2]
   * ```
   */
  static from(values: NestedArray | ArrayLike<number>, options: { shape?: Shape; dtype?: DType } = {}): Tensor {
    const dtype = options.dtype ?? 'float32';
    if (options.shape !== undefined) {
      const flat = typeof values === 'number' ? [values] : flattenNested(values as NestedArray);
      const t = Tensor.zeros(options.shape, dtype);
      if (flat.length !== t.size) {
        throw new GradstreamError(
          'SHAPE_MISMATCH',
          `Tensor.from: shape ${formatShape(options.shape)} holds ${t.size} elements, got ${flat.length}`,
          { shape: [...options.shape], length: flat.length },
        );
      }
      t.data.set(flat);
      return t;
    }
    const shape = inferShape(values as NestedArray);
    const t = Tensor.zeros(shape, dtype);
    t.data.set(flattenNested(values as NestedArray));
    return t;
  }

  /** Rank (number of axes). */
  get rank(): number {
    return this.shape.length;
  }

  /**
   * The element at the given indices (one per axis).
   *
   * @example
   * ```ts
   * import { Tensor } from '@gradstream/tensor';
   * Tensor.from([[1, 2], [3, 4]]).at(0, 1); // 2
   * ```
   */
  at(...indices: number[]): number {
    let offset = 0;
    for (let axis = 0; axis < this.shape.length; axis++) {
      offset = offset * (this.shape[axis] as number) + (indices[axis] ?? 0);
    }
    return this.data[offset] as number;
  }

  /**
   * A new tensor with its own copy of the data, optionally converted to another dtype.
   *
   * @example
   * ```ts
   * import { Tensor } from '@gradstream/tensor';
   * const y = Tensor.from([1, 2]).clone('float64');
   * ```
   */
  clone(dtype: DType = this.dtype): Tensor {
    const out = Tensor.zeros(this.shape, dtype);
    out.data.set(this.data);
    return out;
  }

  /**
   * A tensor with another shape over the same buffer (no copy).
   *
   * @example
   * ```ts
   * import { Tensor } from '@gradstream/tensor';
   * Tensor.from([1, 2, 3, 4]).reshape([2, 2]).at(1, 1); // 4
   * ```
   */
  reshape(shape: Shape): Tensor {
    return new Tensor(shape, this.data);
  }

  /**
   * The elements as nested JavaScript arrays (a scalar for shape `[]`).
   *
   * @example
   * ```ts
   * import { Tensor } from '@gradstream/tensor';
   * Tensor.from([[1, 2]]).toArray(); // [[1, 2]]
   * ```
   */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.data[0] as number;
    const build = (axis: number, offset: number): NestedArray => {
      const len = this.shape[axis] as number;
      const stride = sizeOf(this.shape.slice(axis + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < len; i++) {
        out.push(axis === this.shape.length - 1 ? (this.data[offset + i] as number) : build(axis + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** A short description for logs: `Tensor(float32 [2,3])`. */
  toString(): string {
    return `Tensor(${this.dtype} ${formatShape(this.shape)})`;
  }
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = values;
  while (typeof cur !== 'number') {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0] as NestedArray;
  }
  checkRagged(values, shape, 0, '');
  return shape;
}

function checkRagged(values: NestedArray, shape: number[], axis: number, path: string): void {
  if (axis === shape.length) {
    if (typeof values !== 'number') {
      throw new GradstreamError('SHAPE_MISMATCH', `Tensor.from: ragged array, expected a number at ${path || 'root'}`, { path });
    }
    return;
  }
  if (typeof values === 'number' || values.length !== shape[axis]) {
    const got = typeof values === 'number' ? 'a number' : `length ${values.length}`;
    throw new GradstreamError(
      'SHAPE_MISMATCH',
      `Tensor.from: ragged array, expected length ${shape[axis]} at ${path || 'root'}, got ${got}`,
      { path },
    );
  }
  for (let i = 0; i < values.length; i++) checkRagged(values[i] as NestedArray, shape, axis + 1, `${path}[${i}]`);
}

function flattenNested(values: NestedArray | ArrayLike<number>): number[] {
  if (typeof values === 'number') return [values];
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'number') out.push(v);
    else for (let i = 0; i < (v as ArrayLike<unknown>).length; i++) walk((v as ArrayLike<unknown>)[i]);
  };
  walk(values);
  return out;
}
