/*
 * The TypeScript backend's elementwise kernels: for each function of ../math/unary-ops.ts and each
 * dtype, four kernels rendered from its definition into generated.ts. The same expressions,
 * interpreted without generating code, are the reference the tests hold them to.
 */
import type { DType, TypedArray } from '../dtype.js';
import { GradstreamError } from '../errors.js';
import { interpret } from '../math/expr.js';
import { UNARY_OPS, type UnaryDefinition, type UnaryName } from '../math/unary-ops.js';
import { GENERATED_UNARY } from './generated.js';

/**
 * The four kernels of one elementwise function for one dtype.
 *
 * @example
 * ```ts
 * import { unaryKernels, type UnaryKernels } from '@gradstream/tensor';
 * const tanh: UnaryKernels = unaryKernels('tanh', 'float64');
 * ```
 */
export interface UnaryKernels {
  /** `out = f(x)`. */
  readonly forward: (x: TypedArray, out: TypedArray, p: number) => void;
  /** `dx = f′` applied to `dy`, from the saved `x` or `y` in `s`. */
  readonly backward: (s: TypedArray, dy: TypedArray, dx: TypedArray, p: number) => void;
  /** `out[r,c] = f(z[r,c] + bias[c])`; `out` may be `z`. */
  readonly biasForward: (z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number) => void;
  /** `dz = f′ ⊙ dy` from the saved value, and `dbias[c] = Σ_r dz[r,c]`, in one pass. */
  readonly biasBackward: (s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number) => void;
}

/**
 * The kernels of an elementwise function for a dtype (generated from its definition).
 *
 * @example
 * ```ts
 * import { unaryKernels } from '@gradstream/tensor';
 * const out = new Float32Array(2);
 * unaryKernels('relu', 'float32').forward(new Float32Array([-1, 2]), out, 0); // out = [0, 2]
 * ```
 */
export function unaryKernels(name: UnaryName, dtype: DType): UnaryKernels {
  const table: Readonly<Record<string, readonly UnaryKernels[] | undefined>> = GENERATED_UNARY;
  // Own keys only: "constructor" or "__proto__" would otherwise find Object's and fail later, unnamed.
  const pair = Object.hasOwn(table, name) ? table[name] : undefined;
  if (pair === undefined) {
    throw new GradstreamError('INVALID_OPTION', `unknown elementwise function "${String(name)}"; known: ${Object.keys(UNARY_OPS).join(', ')}`, { fn: name });
  }
  return pair[dtype === 'float64' ? 1 : 0] as UnaryKernels;
}

/**
 * The same kernels with the definition interpreted instead of generated: the reference the
 * generated kernels are tested against (same operations in the same order, slower).
 *
 * @example
 * ```ts
 * import { interpretedUnaryKernels } from '@gradstream/tensor/reference';
 * const out = new Float64Array(1);
 * interpretedUnaryKernels('sigmoid', 'float64').forward(new Float64Array([0]), out, 0); // out = [0.5]
 * ```
 */
export function interpretedUnaryKernels(name: UnaryName, dtype: DType): UnaryKernels {
  return interpreted(UNARY_OPS[name], dtype);
}

function interpreted(def: UnaryDefinition, dtype: DType): UnaryKernels {
  const f = interpret(def.forward);
  const b = interpret(def.backward);
  const r = dtype === 'float32' ? Math.fround : (v: number): number => v;
  const saved = def.saves;
  // One scratch record of the variables, rewritten per element: nothing is allocated per call.
  const v = { x: 0, y: 0, dy: 0, p: 0 };
  return {
    forward: (x, out, p) => {
      v.p = p;
      for (let i = 0; i < out.length; i++) {
        v.x = x[i] as number;
        out[i] = f(v);
      }
    },
    backward: (s, dy, dx, p) => {
      v.p = p;
      for (let i = 0; i < dx.length; i++) {
        v[saved] = s[i] as number;
        v.dy = dy[i] as number;
        dx[i] = b(v);
      }
    },
    biasForward: (z, bias, out, rows, cols, p) => {
      v.p = p;
      for (let o = 0; o < rows * cols; o += cols) {
        for (let c = 0; c < cols; c++) {
          v.x = r((z[o + c] as number) + (bias[c] as number));
          out[o + c] = f(v);
        }
      }
    },
    biasBackward: (s, dy, dz, dbias, rows, cols, p) => {
      v.p = p;
      if (rows === 0) dbias.fill(0, 0, cols);
      for (let o = 0; o < rows * cols; o += cols) {
        for (let c = 0; c < cols; c++) {
          v[saved] = s[o + c] as number;
          v.dy = dy[o + c] as number;
          const d = r(b(v));
          dz[o + c] = d;
          // the first row assigns, as sumRows does (−0 stays −0)
          dbias[c] = o === 0 ? d : (dbias[c] as number) + d;
        }
      }
    },
  };
}

