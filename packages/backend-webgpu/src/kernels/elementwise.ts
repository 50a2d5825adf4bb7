import type { Kernels } from '@gradstream/tensor';
import type { KernelSpec } from '../dispatcher.js';
import type { GpuContext } from '../gpu-context.js';

/** Invocations per workgroup of the 1-D kernels. */
export const WG = 256;

/** A 1-D kernel over `u.n` elements: `body` runs for each `i < u.n`. */
export function elementwise(name: string, arrays: readonly string[], uniforms: KernelSpec['uniforms'], body: string, prelude?: string): KernelSpec {
  const spec: KernelSpec = {
    name,
    arrays,
    uniforms: [['n', 'u32'], ...uniforms],
    workgroupSize: [WG],
    body: `  if (i >= u.n) { return; }\n  ${body}`,
    ...(prelude === undefined ? {} : { prelude }),
  };
  return Object.freeze(spec);
}

const ADD = elementwise('add', ['a', 'b', 'out'], [], 'out[i] = a[i] + b[i];');
const MUL = elementwise('mul', ['a', 'b', 'out'], [], 'out[i] = a[i] * b[i];');
const SCALE = elementwise('scale', ['a', 'out'], [['s', 'f32']], 'out[i] = u.s * a[i];');
const COPY = elementwise('copy', ['src', 'dst'], [], 'dst[i] = src[i];');
const FILL = elementwise('fill', ['out'], [['value', 'f32']], 'out[i] = u.value;');
const ADD_ROW_BROADCAST = elementwise('addRowBroadcast', ['x', 'bias', 'out'], [['cols', 'u32']], 'out[i] = x[i] + bias[i % u.cols];');

/**
 * The elementwise kernels of the contract: `add`, `mul`, `scale`, `copy`, `fill` and
 * `addRowBroadcast`, one invocation per element.
 */
export function elementwiseKernels(ctx: GpuContext): Pick<Kernels, 'add' | 'mul' | 'scale' | 'copy' | 'fill' | 'addRowBroadcast'> {
  return {
    add: (a, b, out) => ctx.run1d(ADD, [a, b, out], [out.length], out.length),
    mul: (a, b, out) => ctx.run1d(MUL, [a, b, out], [out.length], out.length),
    scale: (a, s, out) => ctx.run1d(SCALE, [a, out], [out.length, s], out.length),
    copy: (src, dst) => {
      if (src === dst) return;
      ctx.run1d(COPY, [src, dst], [dst.length], dst.length);
    },
    fill: (out, value) => ctx.run1d(FILL, [out], [out.length, value], out.length),
    addRowBroadcast: (x, bias, out, rows, cols) => ctx.run1d(ADD_ROW_BROADCAST, [x, bias, out], [rows * cols, cols], rows * cols),
  };
}
