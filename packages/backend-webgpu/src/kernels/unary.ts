import { GradstreamError, UNARY_NAMES, UNARY_OPS, type Kernels, type UnaryDefinition, type UnaryName } from '@gradstream/tensor';
import type { KernelSpec } from '../dispatcher.js';
import type { GpuContext } from '../gpu-context.js';
import { renderWgsl } from '../wgsl-expr.js';
import { elementwise } from './elementwise.js';
import { recordSumRows } from './sum-rows.js';

/** The kernels of one elementwise function, each rendered from its definition in `UNARY_OPS`. */
interface UnarySpecs {
  /** `out[i] = f(x[i])`. */
  readonly forward: KernelSpec;
  /** `dx[i] = f′ ⊙ dy[i]` from the saved `s[i]`; also the first half of the bias backward. */
  readonly backward: KernelSpec;
  /** `out[i] = f(z[i] + bias[i % cols])`. */
  readonly biasForward: KernelSpec;
}

// The expressions' intermediates are prefixed `e_` and the values they read end in `_i`, names no
// array of these kernels has (nor does the dispatcher's renaming of aliased arrays touch them).
const LOCALS = 'e_';

/** `statements` then `target = value`, one line each. */
function assign(rendered: { statements: string; value: string }, target: string): string {
  return rendered.statements === '' ? `${target} = ${rendered.value};` : `${rendered.statements}\n  ${target} = ${rendered.value};`;
}

/** The three kernels of one function, rendered from its two expressions. */
function buildSpecs(name: UnaryName, def: UnaryDefinition): UnarySpecs {
  const forward = renderWgsl(def.forward, { x: 'x_i', p: 'u.p' }, LOCALS);
  const backward = renderWgsl(def.backward, { [def.saves]: 's_i', dy: 'dy_i', p: 'u.p' }, LOCALS);
  return {
    forward: elementwise(`unary_${name}`, ['x', 'out'], [['p', 'f32']], `let x_i = x[i];\n  ${assign(forward, 'out[i]')}`),
    backward: elementwise(`unaryBackward_${name}`, ['s', 'dy', 'dx'], [['p', 'f32']], `let s_i = s[i];\n  let dy_i = dy[i];\n  ${assign(backward, 'dx[i]')}`),
    // z + bias is an f32, as `addRowBroadcast` would store it before `unary` reads it.
    biasForward: elementwise(
      `biasUnary_${name}`,
      ['z', 'bias', 'out'],
      [
        ['cols', 'u32'],
        ['p', 'f32'],
      ],
      `let x_i = z[i] + bias[i % u.cols];\n  ${assign(forward, 'out[i]')}`
    ),
  };
}

/** Each function's kernels, rendered when first used and kept (as the other families' module-level specs). */
const SPECS = new Map<UnaryName, UnarySpecs>();

function specsOf(fn: UnaryName): UnarySpecs {
  let s = SPECS.get(fn);
  if (s === undefined) {
    // Own keys only: "constructor" or "__proto__" would otherwise find Object's.
    if (!Object.hasOwn(UNARY_OPS, fn)) {
      throw new GradstreamError('INVALID_OPTION', `webgpu: unknown elementwise function ${JSON.stringify(fn)}; known: ${UNARY_NAMES.join(', ')}`, { fn });
    }
    s = buildSpecs(fn, UNARY_OPS[fn]);
    SPECS.set(fn, s);
  }
  return s;
}

/**
 * The elementwise functions' kernels: `unary`, `unaryBackward`, `biasUnary` (one invocation per
 * element) and `unaryBiasBackward` (the backward per element, then the column sum of
 * {@link recordSumRows}), for every function of `UNARY_OPS`, each rendered from its definition when
 * first used.
 */
export function unaryKernelsWebGpu(ctx: GpuContext): Pick<Kernels, 'unary' | 'unaryBackward' | 'biasUnary' | 'unaryBiasBackward'> {
  return {
    unary: (fn, x, out, p = 0) => ctx.run1d(specsOf(fn).forward, [x, out], [out.length, p], out.length),
    unaryBackward: (fn, saved, dy, dx, p = 0) => ctx.run1d(specsOf(fn).backward, [saved, dy, dx], [dx.length, p], dx.length),
    biasUnary: (fn, z, bias, out, rows, cols, p = 0) => ctx.run1d(specsOf(fn).biasForward, [z, bias, out], [rows * cols, cols, p], rows * cols),
    unaryBiasBackward: (fn, saved, dy, dz, dbias, rows, cols, p = 0) => {
      const n = rows * cols;
      ctx.run1d(specsOf(fn).backward, [saved, dy, dz], [n, p], n);
      recordSumRows(ctx, dz, dbias, rows, cols);
    },
  };
}
