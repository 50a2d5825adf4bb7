import { expr as e, type Expr, type ExprOperand } from './expr.js';

/**
 * One elementwise function, written once: its forward as an expression of `x` (and the
 * parameter `p`), its backward as an expression of the incoming gradient `dy` and of the one
 * value it saves from forward, `x` or `y`. Every backend's kernels, the fused bias-and-activation
 * ones included, are rendered from these two expressions.
 *
 * @example
 * ```ts
 * import { UNARY_OPS } from '@gradstream/tensor';
 * UNARY_OPS.relu.saves; // 'y': backward reads the output
 * ```
 */
export interface UnaryDefinition {
  /** One line for docs. */
  readonly description: string;
  /** `y = f(x)`, over `x` and `p`. */
  readonly forward: Expr;
  /** `∂L/∂x`, over `dy`, the saved value and `p`. */
  readonly backward: Expr;
  /** What backward reads: the forward input `x` or the forward output `y`. */
  readonly saves: 'x' | 'y';
  /** The parameter `p` the op takes (its name in configurations and its default), if any. */
  readonly param?: { readonly name: string; readonly default: number };
}

// σ(z) written so no exponential overflows: t = e^(−|z|) ≤ 1, then 1/(1+t) for z ≥ 0 and t/(1+t)
// below (a NaN fails the comparison and stays NaN through t). `k` keeps the names of its
// intermediates apart when one expression computes σ twice.
const sigmoidOf = (z: Expr, k = ''): Expr =>
  e.let(`t${k}`, e.exp(e.neg(e.abs(z))), e.let(`d${k}`, e.add(1, e.local(`t${k}`)), e.select(e.ge(z, 0), e.div(1, e.local(`d${k}`)), e.div(e.local(`t${k}`), e.local(`d${k}`)))));
const sigmoidForward = sigmoidOf(e.x);

/*
 * Error-free transformations (Dekker, Knuth) for GELU's forward. In float32 its exponent
 * v = K·|x| + K₂·|x|³ reaches |v| ≈ 14 while the output is still ~1e-6, and e^(−v) turns an absolute
 * error of v into a relative error of the output: v rounded as usual (four roundings of ~|v|·2⁻²⁴
 * each) costs 30 ulps there. So v is carried as an unevaluated sum hi + lo of two floats, and
 * e^(−v) = e^(−hi)·(1 − lo). The splitting constant 2¹² + 1 halves a float32's 24 bits, so every
 * partial product below is exact in float32; in float64 the same steps are simply accurate.
 */
const SPLIT = 4097;
const f32 = Math.fround;
/** A float32 constant as two 12-bit halves (so its products with split halves are exact). */
function splitConstant(c: number): readonly [number, number] {
  const s = f32(f32(c) * SPLIT);
  const hi = f32(s - f32(s - f32(c)));
  return [hi, f32(c) - hi];
}
/** Binds each name to its value in turn (each value may read the names before it), then `body`. */
const lets = (bindings: readonly (readonly [string, ExprOperand])[], body: Expr): Expr => bindings.reduceRight((b, [name, value]) => e.let(name, value, b), body);
/** Veltkamp's split: `${k}h` and `${k}l`, the high and low halves of `a`. */
const splitting = (k: string, a: Expr): readonly (readonly [string, Expr])[] => [
  [`${k}s`, e.mul(a, SPLIT)],
  [`${k}h`, e.sub(e.local(`${k}s`), e.sub(e.local(`${k}s`), a))],
  [`${k}l`, e.sub(a, e.local(`${k}h`))],
];
const halves = (k: string): readonly [Expr, Expr] => [e.local(`${k}h`), e.local(`${k}l`)];
/** Dekker's rounding error of `p = a·b`, from the halves of a and b. */
const productError = (p: Expr, [ah, al]: readonly [ExprOperand, ExprOperand], [bh, bl]: readonly [ExprOperand, ExprOperand]): Expr =>
  e.add(e.add(e.add(e.sub(e.mul(ah, bh), p), e.mul(ah, bl)), e.mul(al, bh)), e.mul(al, bl));

// GELU's constants K = 2·√(2/π) and K₂ = 0.044715·K, each as its float32 value plus the rest (which
// a float32 kernel rounds to the next 24 bits, and a float64 one keeps whole).
const GELU_K = 2 * Math.sqrt(2 / Math.PI);
const GELU_K2 = 0.044715 * GELU_K;
const K_HI = f32(GELU_K);
const K_LO = GELU_K - K_HI;
const K2_HI = f32(GELU_K2);
const K2_LO = GELU_K2 - K2_HI;
const K2_HALVES = splitConstant(K2_HI);
/** Beyond this |x|, e^(−v) is 0 in float64 and float32 alike: GELU is x itself, or −0. */
const GELU_SATURATES = 30;

const L = e.local;
/**
 * GELU's forward. With a = |x| and v = K·a + K₂·a³ = 2·√(2/π)·(a + 0.044715·a³) ≥ 0,
 * ½(1 + tanh(v/2)) = σ(±v), so y = x·σ(v) for x ≥ 0 and x·σ(−v) below, with t = e^(−v) ≤ 1:
 * x/(1 + t) or x·t/(1 + t) — no cancellation in 1 + tanh, no overflow for large |x|. v is
 * computed as hi + lo: a² = p2 + e2, K₂·a² = P + Pl, g = K + K₂·a² = G + Gl, v = a·g = vh + vl.
 */
const geluForward: Expr = lets(
  [
    ['a', e.abs(e.x)],
    ...splitting('a', L('a')),
    ['p2', e.mul(L('a'), L('a'))],
    ['e2', productError(L('p2'), halves('a'), halves('a'))],
    ...splitting('q', L('p2')),
    ['P', e.mul(K2_HI, L('p2'))],
    ['Pl', e.add(e.add(productError(L('P'), K2_HALVES, halves('q')), e.mul(K2_HI, L('e2'))), e.mul(K2_LO, L('p2')))],
    // G + Gl = K_HI + P exactly (Knuth's two-sum), then the low parts.
    ['G', e.add(K_HI, L('P'))],
    ['Gb', e.sub(L('G'), K_HI)],
    ['Gl', e.add(e.add(e.add(e.sub(K_HI, e.sub(L('G'), L('Gb'))), e.sub(L('P'), L('Gb'))), L('Pl')), K_LO)],
    ...splitting('g', L('G')),
    ['vp', e.mul(L('a'), L('G'))],
    ['ve', e.add(productError(L('vp'), halves('a'), halves('g')), e.mul(L('a'), L('Gl')))],
    // Renormalised (fast two-sum) so |vl| ≤ half an ulp of vh in float64 too, where the float32
    // constants leave ve far larger: only then does 1 − vl stand for e^(−vl).
    ['vh', e.add(L('vp'), L('ve'))],
    ['vl', e.sub(L('ve'), e.sub(L('vh'), L('vp')))],
    ['te', e.exp(e.neg(L('vh')))],
    ['tt', e.sub(L('te'), e.mul(L('te'), L('vl')))],
    ['dd', e.add(1, L('tt'))],
  ],
  e.select(
    e.gt(L('a'), GELU_SATURATES),
    e.select(e.gt(e.x, 0), e.x, -0),
    e.mul(e.x, e.select(e.ge(e.x, 0), e.div(1, L('dd')), e.div(L('tt'), L('dd')))),
  ),
);

/**
 * GELU's derivative from x: σ(v) + x·σ′(v)·v′ with v = K·x + K₂·x³, σ′(v) = t/(1 + t)² (t = e^(−|v|),
 * the same for both signs) and v′ = K + 3·K₂·x². Plain arithmetic suffices here: rounding v moves
 * each term by |v| times its rounding, and terms that carry t (|v|²·t < 1) stay small next to dy.
 * Past the saturation point the second term is 0, written as such because x·v′ overflows where t
 * is already 0.
 */
const geluBackward: Expr = lets(
  [
    ['xx', e.mul(e.x, e.x)],
    ['v', e.mul(e.x, e.add(GELU_K, e.mul(GELU_K2, L('xx'))))],
    ['tv', e.exp(e.neg(e.abs(L('v'))))],
    ['dv', e.add(1, L('tv'))],
  ],
  e.mul(
    e.dy,
    e.add(
      e.select(e.ge(L('v'), 0), e.div(1, L('dv')), e.div(L('tv'), L('dv'))),
      e.select(e.lt(e.abs(e.x), GELU_SATURATES), e.div(e.mul(e.mul(e.x, e.add(GELU_K, e.mul(3 * GELU_K2, L('xx')))), L('tv')), e.mul(L('dv'), L('dv'))), 0),
    ),
  ),
);

/**
 * The elementwise functions gradstream knows, by name. Conventions at the edges, held by every
 * backend and by the fused kernels alike: NaN in gives NaN out; `relu(−0)` and `gelu(−0)` are
 * `−0`; the derivative of `relu` at 0 is 0; infinities saturate (`σ(−∞) = 0`, `tanh(∞) = 1`,
 * `gelu(∞) = ∞`, `gelu(−∞) = −0`, `softplus(−∞) = 0`, `softplus(∞) = ∞`, with derivatives 0 and 1).
 *
 * @example
 * ```ts
 * import { UNARY_OPS } from '@gradstream/tensor';
 * import { interpret } from '@gradstream/tensor/reference';
 * const relu = interpret(UNARY_OPS.relu.forward);
 * relu({ x: -2, y: 0, dy: 0, p: 0 }); // 0
 * ```
 */
export const UNARY_OPS = Object.freeze({
  identity: { description: 'y = x', forward: e.x, backward: e.dy, saves: 'y' },
  sigmoid: {
    description: 'logistic sigmoid y = 1 / (1 + e^(−x))',
    forward: sigmoidForward,
    backward: e.mul(e.mul(e.dy, e.y), e.sub(1, e.y)),
    saves: 'y',
  },
  relu: {
    description: 'rectified linear unit y = max(0, x)',
    forward: e.select(e.lt(e.x, 0), 0, e.x),
    backward: e.select(e.gt(e.y, 0), e.dy, 0),
    saves: 'y',
  },
  leakyRelu: {
    description: 'leaky ReLU y = x for x > 0, else p·x',
    forward: e.select(e.gt(e.x, 0), e.x, e.mul(e.p, e.x)),
    backward: e.select(e.gt(e.x, 0), e.dy, e.mul(e.p, e.dy)),
    saves: 'x',
    param: { name: 'alpha', default: 0.01 },
  },
  tanh: {
    description: 'hyperbolic tangent y = tanh(x)',
    forward: e.tanh(e.x),
    backward: e.mul(e.dy, e.sub(1, e.mul(e.y, e.y))),
    saves: 'y',
  },
  gelu: {
    description: 'GELU, tanh form y = ½x·(1 + tanh(√(2/π)·(x + 0.044715x³))) as PyTorch\'s approximate="tanh" (expressions have no erf)',
    forward: geluForward,
    backward: geluBackward,
    saves: 'x',
  },
  softplus: {
    description: 'softplus y = log(1 + eˣ), written max(x, 0) + log1p(e^(−|x|))',
    forward: e.add(e.select(e.gt(e.x, 0), e.x, 0), e.log1p(e.exp(e.neg(e.abs(e.x))))),
    // softplus′ = σ(x). (The suffix keeps its names off those the kernel loops use: _s, _g, _d.)
    backward: e.mul(e.dy, sigmoidOf(e.x, 'x')),
    saves: 'x',
  },
} satisfies Record<string, UnaryDefinition>);

/**
 * Name of an elementwise function in {@link UNARY_OPS}.
 *
 * @example
 * ```ts
 * import type { UnaryName } from '@gradstream/tensor';
 * const f: UnaryName = 'tanh';
 * ```
 */
export type UnaryName = keyof typeof UNARY_OPS;

/**
 * Every name in {@link UNARY_OPS}, in table order.
 *
 * @example
 * ```ts
 * import { UNARY_NAMES } from '@gradstream/tensor';
 * UNARY_NAMES.includes('relu'); // true
 * ```
 */
export const UNARY_NAMES: readonly UnaryName[] = Object.freeze(Object.keys(UNARY_OPS) as UnaryName[]);
