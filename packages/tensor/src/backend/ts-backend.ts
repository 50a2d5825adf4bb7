import { allocate, type DType, type TypedArray } from '../dtype.js';
import type { SourceBindings } from '../codegen/bindings.js';
import { GradstreamError } from '../errors.js';
import { UNARY_NAMES, type UnaryName } from '../math/unary-ops.js';
import { dropoutMask } from '../kernels/dropout.js';
import {
  adamUpdate,
  add,
  addRowBroadcast,
  copy,
  fill,
  momentumUpdate,
  mse,
  mseBackward,
  mul,
  scale,
  sgdUpdate,
  sumRows,
  weightPenalty,
} from '../kernels/generated.js';
import { matmul } from '../kernels/matmul.js';
import { IMAGE_TS_KERNELS } from '../kernels/image.js';
import { NORM_TS_KERNELS } from '../kernels/norm.js';
import { SEQUENCE_TS_KERNELS } from '../kernels/sequence.js';
import { ATTENTION_TS_KERNELS } from '../kernels/attention.js';
import { LOSS_TS_KERNELS } from '../kernels/loss.js';
import { countArgmaxMatches, sumAbsDiff, sumSquaredDiff } from '../kernels/metrics.js';
import { firstNonFinite, sumSquares } from '../kernels/reduce.js';
import { softmaxCrossEntropy, softmaxCrossEntropyBackward, softmaxRows, softmaxRowsBackward } from '../kernels/softmax.js';
import { TEMPLATES, inlineBody, unaryTemplates, type KernelTemplate } from '../kernels/templates.js';
import { unaryKernels } from '../kernels/unary.js';
import type { Backend, KernelCall } from './backend.js';
import type { Kernels } from './kernels.js';

const dtypeOfBuffer = (a: TypedArray): DType => (a instanceof Float64Array ? 'float64' : 'float32');

/**
 * Calls whose arrays hold at most this many elements (products of at most this many
 * multiply-adds) are written into generated passes in place, with their sizes as literals: for a
 * 1-1-1 network a call costs more than the arithmetic.
 */
const INLINE_ELEMENTS = 64;

/** The kernel set, each the TypeScript reference implementation. */
const kernels: Kernels = {
  matmul,
  add,
  mul,
  scale,
  copy,
  fill,
  addRowBroadcast,
  sumRows,
  unary: (fn, x, out, p = 0) => unaryKernels(fn, dtypeOfBuffer(out)).forward(x, out, p),
  unaryBackward: (fn, saved, dy, dx, p = 0) => unaryKernels(fn, dtypeOfBuffer(dx)).backward(saved, dy, dx, p),
  biasUnary: (fn, z, bias, out, rows, cols, p = 0) => unaryKernels(fn, dtypeOfBuffer(out)).biasForward(z, bias, out, rows, cols, p),
  unaryBiasBackward: (fn, saved, dy, dz, dbias, rows, cols, p = 0) =>
    unaryKernels(fn, dtypeOfBuffer(dz)).biasBackward(saved, dy, dz, dbias, rows, cols, p),
  softmaxRows,
  softmaxRowsBackward,
  softmaxCrossEntropy,
  softmaxCrossEntropyBackward,
  mse,
  mseBackward,
  dropoutMask,
  sgdUpdate,
  weightPenalty,
  momentumUpdate,
  adamUpdate,
  sumSquares,
  firstNonFinite,
  sumSquaredDiff,
  sumAbsDiff,
  countArgmaxMatches,
  ...IMAGE_TS_KERNELS,
  ...NORM_TS_KERNELS,
  ...SEQUENCE_TS_KERNELS,
  ...ATTENTION_TS_KERNELS,
  ...LOSS_TS_KERNELS,
};

const UNARY_ROLES = { unary: 'forward', unaryBackward: 'backward', biasUnary: 'biasForward', unaryBiasBackward: 'biasBackward' } as const;

/** The largest array among a call's arguments. */
const largest = (args: readonly unknown[]): number => args.reduce<number>((m, a) => (ArrayBuffer.isView(a) ? Math.max(m, (a as TypedArray).length) : m), 0);

/**
 * How the TypeScript backend writes a kernel call into a generated pass: a template written in
 * place when the call is small, else a direct call of the kernel function (for the elementwise
 * family, of the generated kernel for that function and dtype, so nothing dispatches per step).
 */
function renderCall(call: KernelCall, b: SourceBindings): string {
  const arg = (a: unknown): string => b.arg(a);
  const small = largest(call.args) <= INLINE_ELEMENTS;
  if (call.kernel in UNARY_ROLES) {
    const role = UNARY_ROLES[call.kernel as keyof typeof UNARY_ROLES];
    const [given, ...rest] = call.args as [unknown, ...unknown[]];
    // The function's name comes from a spec (dense's activation) and names the bound kernel below:
    // it must be one of the table's, and the table's own string is the one used.
    const fn = UNARY_NAMES[UNARY_NAMES.indexOf(given as UnaryName)];
    if (fn === undefined) {
      throw new GradstreamError('INVALID_OPTION', `unknown elementwise function ${JSON.stringify(given)}; known: ${UNARY_NAMES.join(', ')}`, { fn: given });
    }
    const dtype = dtypeOfBuffer(rest[role === 'forward' ? 1 : 2] as TypedArray);
    const t: KernelTemplate = unaryTemplates(fn, dtype)[role];
    // The parameter p defaults to 0, as in the kernels' signatures.
    const args = t.params.map((_, i) => rest[i] ?? 0);
    if (small) return inlineBody(t, args, arg);
    return `${b.value(unaryKernels(fn, dtype)[role], `${fn}_${role}`)}(${args.map(arg).join(', ')});`;
  }
  if (call.kernel === 'matmul') {
    const [a, bb, out, m, n, k, transA = false, transB = false, accumulate = false] = call.args as [TypedArray, TypedArray, TypedArray, number, number, number, boolean?, boolean?, boolean?];
    const sameType = (a instanceof Float32Array && bb instanceof Float32Array && out instanceof Float32Array) || (a instanceof Float64Array && bb instanceof Float64Array && out instanceof Float64Array);
    if (sameType && m * n * k <= INLINE_ELEMENTS) {
      // matmul's own path for products this small, with the strides worked out here.
      const strides = [transA ? 1 : k, transA ? m : 1, transB ? 1 : n, transB ? k : 1];
      return inlineBody(TEMPLATES.matmulSmall as KernelTemplate, [a, bb, out, m, n, k, ...strides, accumulate], arg);
    }
  }
  const template = TEMPLATES[call.kernel];
  if (template !== undefined && small) return inlineBody(template, call.args, arg);
  return `${b.value(kernels[call.kernel], call.kernel)}(${call.args.map(arg).join(', ')});`;
}

/**
 * The pure-TypeScript backend: the reference every other backend is tested against, float32 and
 * float64, and the fallback wherever WebAssembly SIMD is missing. Its buffers are ordinary typed
 * arrays; its kernels are generated from one definition each (kernels/templates.ts, UNARY_OPS).
 *
 * @example
 * ```ts
 * import { tsBackend } from '@gradstream/tensor';
 * console.log(tsBackend.name); // 'ts'
 * ```
 */
export const tsBackend: Backend = Object.freeze({
  ...kernels,
  name: 'ts',
  description: 'TypeScript (reference kernels, one thread)',
  threads: 1,
  allocate: (dtype: DType, length: number): TypedArray => allocate(dtype, length),
  free: (): void => {},
  renderCall,
});
