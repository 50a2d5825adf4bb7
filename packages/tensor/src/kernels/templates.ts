/*
 * The TypeScript backend's simple kernels, each written once as a template of its loop. Two things
 * are rendered from a template: the kernel function itself (generated.ts, written by
 * `pnpm --filter @gradstream/tensor generate` and held fresh by a test), and, inside a compiled
 * plan, the same loop written in place with its sizes as literals, for layers so small that a call
 * costs more than the arithmetic. The elementwise functions of UNARY_OPS are rendered the same
 * way (see unary.ts). Nothing here is run as written: these are the definitions.
 *
 * A template's body reads its arguments through `v`: array arguments and numbers by name, plus
 * the lengths it declares (`n` for `out.length`), so a size is an identifier in the generated
 * function and a literal when written in place.
 */
import type { DType } from '../dtype.js';
import { UNARY_OPS, type UnaryDefinition, type UnaryName } from '../math/unary-ops.js';
import { biasBackwardSource, biasForwardSource, unaryBackwardSource, unaryForwardSource } from './unary-source.js';

/**
 * One kernel as a template. The TSDoc of the function generated from it lives in
 * codegen/kernel-docs.ts, not here: this module is loaded at run time and its text ships in bundles.
 */
export interface KernelTemplate {
  /** Parameters as TypeScript, in order (`out: TypedArray`, `accumulate = false`). */
  readonly params: readonly string[];
  /** Lengths the body reads: name → the array argument whose length it is. */
  readonly lengths?: Readonly<Record<string, string>>;
  /** The statements, reading arguments and lengths through `v`. */
  readonly body: (v: Readonly<Record<string, string>>) => string;
}

/** The parameter's name, without its type or default. */
export const paramName = (p: string): string => (p.split(/[:=]/)[0] as string).trim();
/** The default written in a parameter (`accumulate = false` → `false`), if any. */
export const paramDefault = (p: string): string | undefined => (p.includes('=') ? (p.split('=')[1] as string).trim() : undefined);

/** The simple kernels of the TypeScript backend, by name. */
export const TEMPLATES: Readonly<Record<string, KernelTemplate>> = {
  add: {
    params: ['a: TypedArray', 'b: TypedArray', 'out: TypedArray'],
    lengths: { n: 'out' },
    body: (v) => `for (let i = 0; i < ${v.n}; i++) ${v.out}[i] = ${v.a}[i] + ${v.b}[i];`,
  },
  mul: {
    params: ['a: TypedArray', 'b: TypedArray', 'out: TypedArray'],
    lengths: { n: 'out' },
    body: (v) => `for (let i = 0; i < ${v.n}; i++) ${v.out}[i] = ${v.a}[i] * ${v.b}[i];`,
  },
  scale: {
    params: ['a: TypedArray', 's: number', 'out: TypedArray'],
    lengths: { n: 'out' },
    body: (v) => `for (let i = 0; i < ${v.n}; i++) ${v.out}[i] = ${v.s} * ${v.a}[i];`,
  },
  copy: {
    params: ['src: TypedArray', 'dst: TypedArray'],
    lengths: { n: 'dst' },
    // Long copies go to the engine's memcpy; short ones (all of them, written in place) stay a loop.
    body: (v) => `if (${v.n} > 64 && ${v.src}.length === ${v.n}) ${v.dst}.set(${v.src}); else for (let i = 0; i < ${v.n}; i++) ${v.dst}[i] = ${v.src}[i];`,
  },
  fill: {
    params: ['out: TypedArray', 'value: number'],
    lengths: { n: 'out' },
    body: (v) => `if (${v.n} > 64) ${v.out}.fill(${v.value}); else for (let i = 0; i < ${v.n}; i++) ${v.out}[i] = ${v.value};`,
  },
  addRowBroadcast: {
    params: ['x: TypedArray', 'bias: TypedArray', 'out: TypedArray', 'rows: number', 'cols: number'],
    body: (v) => `for (let r = 0, o = 0; r < ${v.rows}; r++, o += ${v.cols}) for (let c = 0; c < ${v.cols}; c++) ${v.out}[o + c] = ${v.x}[o + c] + ${v.bias}[c];`,
  },
  sumRows: {
    params: ['x: TypedArray', 'out: TypedArray', 'rows: number', 'cols: number', 'accumulate = false'],
    body: (v) =>
      `let r0 = 0;\n` +
      `if (!${v.accumulate}) { if (${v.rows} === 0) { for (let c = 0; c < ${v.cols}; c++) ${v.out}[c] = 0; } else { for (let c = 0; c < ${v.cols}; c++) ${v.out}[c] = ${v.x}[c]; r0 = 1; } }\n` +
      `for (let r = r0, o = r0 * ${v.cols}; r < ${v.rows}; r++, o += ${v.cols}) for (let c = 0; c < ${v.cols}; c++) ${v.out}[c] = ${v.out}[c] + ${v.x}[o + c];`,
  },
  matmulSmall: {
    params: ['a: TypedArray', 'b: TypedArray', 'out: TypedArray', 'm: number', 'n: number', 'k: number', 'aRs: number', 'aPs: number', 'bPs: number', 'bCs: number', 'accumulate: boolean'],
    body: (v) =>
      `for (let i = 0; i < ${v.m}; i++) for (let j = 0; j < ${v.n}; j++) { let s = 0; ` +
      `for (let p = 0; p < ${v.k}; p++) s += ${v.a}[i * ${v.aRs} + p * ${v.aPs}] * ${v.b}[j * ${v.bCs} + p * ${v.bPs}]; ` +
      `const o = i * ${v.n} + j; ${v.out}[o] = ${v.accumulate} ? ${v.out}[o] + s : s; }`,
  },
  mse: {
    params: ['pred: TypedArray', 'target: TypedArray', 'loss: TypedArray', 'rows: number'],
    lengths: { n: 'pred' },
    body: (v) =>
      `let s = 0; for (let i = 0; i < ${v.n}; i++) { const d = ${v.pred}[i] - ${v.target}[i]; s += d * d; }\n` +
      `${v.loss}[0] = (0.5 * s) / (${v.rows} || 1);`,
  },
  mseBackward: {
    params: ['pred: TypedArray', 'target: TypedArray', 'dLoss: TypedArray', 'dPred: TypedArray', 'rows: number'],
    lengths: { n: 'dPred' },
    body: (v) => `const k = ${v.dLoss}[0] / (${v.rows} || 1); for (let i = 0; i < ${v.n}; i++) ${v.dPred}[i] = k * (${v.pred}[i] - ${v.target}[i]);`,
  },
  sgdUpdate: {
    params: ['w: TypedArray', 'g: TypedArray', 'lr: number'],
    lengths: { n: 'w' },
    body: (v) => `const a = -${v.lr}; for (let i = 0; i < ${v.n}; i++) ${v.w}[i] = ${v.w}[i] + a * ${v.g}[i];`,
  },
  weightPenalty: {
    params: ['w: TypedArray', 'g: TypedArray', 'l1: number', 'l2: number'],
    lengths: { n: 'g' },
    // sign(w) from two comparisons: 0 for ±0 and NaN, where Math.sign would give −0 or NaN.
    body: (v) =>
      `for (let i = 0; i < ${v.n}; i++) { const wi = ${v.w}[i]; ${v.g}[i] = ${v.g}[i] + (${v.l1} * (wi > 0 ? 1 : wi < 0 ? -1 : 0) + ${v.l2} * wi); }`,
  },
  momentumUpdate: {
    params: ['w: TypedArray', 'g: TypedArray', 'v: TypedArray', 'lr: number', 'momentum: number', 'nesterov: boolean'],
    lengths: { n: 'w' },
    body: (v) =>
      `const mu = ${v.momentum};\n` +
      `if (${v.nesterov}) { for (let i = 0; i < ${v.n}; i++) { const gi = ${v.g}[i]; const vi = mu * ${v.v}[i] + gi; ${v.v}[i] = vi; ${v.w}[i] = ${v.w}[i] - ${v.lr} * (gi + mu * vi); } }\n` +
      `else { for (let i = 0; i < ${v.n}; i++) { const vi = mu * ${v.v}[i] + ${v.g}[i]; ${v.v}[i] = vi; ${v.w}[i] = ${v.w}[i] - ${v.lr} * vi; } }`,
  },
  adamUpdate: {
    params: ['w: TypedArray', 'g: TypedArray', 'm: TypedArray', 'v: TypedArray', 'lr: number', 'beta1: number', 'beta2: number', 'epsilon: number', 'weightDecay: number', 't: number'],
    lengths: { n: 'w' },
    body: (v) =>
      `const keep = 1 - ${v.lr} * ${v.weightDecay};\n` +
      `if (keep !== 1) for (let i = 0; i < ${v.n}; i++) ${v.w}[i] = ${v.w}[i] * keep;\n` +
      `const stepSize = ${v.lr} / (1 - ${v.beta1} ** ${v.t}); const correction2 = Math.sqrt(1 - ${v.beta2} ** ${v.t});\n` +
      `for (let i = 0; i < ${v.n}; i++) { const gi = ${v.g}[i]; ` +
      `const mi = ${v.beta1} * ${v.m}[i] + (1 - ${v.beta1}) * gi; const vi = ${v.beta2} * ${v.v}[i] + (1 - ${v.beta2}) * gi * gi; ` +
      `${v.m}[i] = mi; ${v.v}[i] = vi; ${v.w}[i] = ${v.w}[i] - (stepSize * mi) / (Math.sqrt(vi) / correction2 + ${v.epsilon}); }`,
  },
};

/** The four elementwise kernels of one function for one dtype, as templates rendered from UNARY_OPS. */
export function unaryTemplates(name: UnaryName, dtype: DType): Readonly<Record<'forward' | 'backward' | 'biasForward' | 'biasBackward', KernelTemplate>> {
  const def: UnaryDefinition = UNARY_OPS[name];
  return {
    forward: { params: ['x: TypedArray', 'out: TypedArray', 'p: number'], lengths: { n: 'out' }, body: (v) => unaryForwardSource(def, v.x as string, v.out as string, v.n as string, v.p as string, '_') },
    backward: {
      params: ['s: TypedArray', 'dy: TypedArray', 'dx: TypedArray', 'p: number'],
      lengths: { n: 'dx' },
      body: (v) => unaryBackwardSource(def, v.s as string, v.dy as string, v.dx as string, v.n as string, v.p as string, '_'),
    },
    biasForward: {
      params: ['z: TypedArray', 'bias: TypedArray', 'out: TypedArray', 'rows: number', 'cols: number', 'p: number'],
      body: (v) => biasForwardSource(def, dtype, v.z as string, v.bias as string, v.out as string, v.rows as string, v.cols as string, v.p as string, '_'),
    },
    biasBackward: {
      params: ['s: TypedArray', 'dy: TypedArray', 'dz: TypedArray', 'dbias: TypedArray', 'rows: number', 'cols: number', 'p: number'],
      body: (v) =>
        biasBackwardSource(def, dtype, v.s as string, v.dy as string, v.dz as string, v.dbias as string, v.rows as string, v.cols as string, v.p as string, '_'),
    },
  };
}

/**
 * A template as the body of a function: its lengths read from the arrays (`const n = out.length;`),
 * then its statements.
 */
export function functionBody(t: KernelTemplate): string {
  const v: Record<string, string> = {};
  for (const p of t.params) v[paramName(p)] = paramName(p);
  const lengths = Object.entries(t.lengths ?? {}).map(([name, array]) => {
    v[name] = name;
    return `const ${name} = ${array}.length;`;
  });
  return [...lengths, t.body(v)].join('\n');
}

/**
 * A template written in place for one call: each argument as the caller renders it (a bound
 * identifier, a literal) and each length as the literal length of its array.
 */
export function inlineBody(t: KernelTemplate, args: readonly unknown[], render: (a: unknown) => string): string {
  const v: Record<string, string> = {};
  t.params.forEach((p, i) => {
    const a = args[i];
    v[paramName(p)] = a === undefined && paramDefault(p) !== undefined ? (paramDefault(p) as string) : render(a);
  });
  for (const [name, array] of Object.entries(t.lengths ?? {})) {
    const i = t.params.findIndex((p) => paramName(p) === array);
    v[name] = String((args[i] as ArrayLike<number>).length);
  }
  return `{ ${t.body(v)} }`;
}
