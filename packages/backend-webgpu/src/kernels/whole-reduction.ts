import type { TypedArray } from '@gradstream/tensor';
import type { KernelSpec, UniformType } from '../dispatcher.js';
import type { GpuContext } from '../gpu-context.js';

/** Invocations of the workgroup that reduces a large array. */
const WG = 256;
/**
 * Up to this many elements one invocation sums them alone: a workgroup's barriers cost far more
 * than a few thousand additions (on SwiftShader, milliseconds per reduction).
 */
export const SERIAL_MAX = 4096;

/** One reduction of a whole array to a single number, in two forms: one invocation, or a workgroup's tree. */
export interface WholeReduction {
  readonly serial: KernelSpec;
  readonly tree: KernelSpec;
}

/**
 * What a whole-array reduction computes: `term` is the value of element `j` (a WGSL expression),
 * `combine` joins two partial results (`A` and `B` in it), starting from `zero`; `finish` is the
 * statement that stores the result `r`. The first uniform is always `n`, the element count.
 */
export interface ReductionParts {
  readonly name: string;
  readonly arrays: readonly string[];
  readonly uniforms: readonly (readonly [string, UniformType])[];
  readonly term: string;
  readonly combine: string;
  readonly zero: string;
  readonly finish: string;
  readonly prelude?: string;
}

const join = (combine: string, a: string, b: string): string => combine.replace('A', a).replace('B', b);

/** The two forms of a reduction; both combine the terms in a fixed order (deterministic). */
export function wholeReduction(parts: ReductionParts): WholeReduction {
  const base = { arrays: parts.arrays, uniforms: [['n', 'u32'] as const, ...parts.uniforms] };
  const serial: KernelSpec = {
    ...base,
    name: `${parts.name}_serial`,
    workgroupSize: [1],
    ...(parts.prelude === undefined ? {} : { prelude: parts.prelude }),
    body: `  var r = ${parts.zero};
  for (var j = 0u; j < u.n; j++) { r = ${join(parts.combine, 'r', parts.term)}; }
  ${parts.finish}`,
  };
  const tree: KernelSpec = {
    ...base,
    name: `${parts.name}_tree`,
    workgroupSize: [WG],
    prelude: `var<workgroup> partial: array<f32, ${WG}>;\n${parts.prelude ?? ''}`,
    body: `  var acc = ${parts.zero};
  for (var j = lid.x; j < u.n; j += ${WG}u) { acc = ${join(parts.combine, 'acc', parts.term)}; }
  partial[lid.x] = acc;
  workgroupBarrier();
  for (var half = ${WG / 2}u; half > 0u; half >>= 1u) {
    if (lid.x < half) { partial[lid.x] = ${join(parts.combine, 'partial[lid.x]', 'partial[lid.x + half]')}; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let r = partial[0];
    ${parts.finish}
  }`,
  };
  return { serial: Object.freeze(serial), tree: Object.freeze(tree) };
}

/** Records the reduction over `n` elements in the form that suits `n` (one workgroup either way). */
export function runWholeReduction(ctx: GpuContext, r: WholeReduction, arrays: readonly TypedArray[], uniforms: readonly number[], n: number): void {
  ctx.run(n <= SERIAL_MAX ? r.serial : r.tree, arrays, uniforms, 1);
}
