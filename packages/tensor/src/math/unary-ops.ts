import { expr as e, type Expr } from './expr.js';

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

// σ(x) written so no exponential overflows: t = e^(−|x|) ≤ 1, then 1/(1+t) for x ≥ 0 and t/(1+t)
// below (a NaN fails the comparison and stays NaN through t).
const sigmoidForward = e.let('t', e.exp(e.neg(e.abs(e.x))), e.let('d', e.add(1, e.local('t')), e.select(e.ge(e.x, 0), e.div(1, e.local('d')), e.div(e.local('t'), e.local('d')))));

/**
 * The elementwise functions gradstream knows, by name. Conventions at the edges, held by every
 * backend and by the fused kernels alike: NaN in gives NaN out; `relu(−0)` is `−0`; the
 * derivative of `relu` at 0 is 0; infinities saturate (`σ(−∞) = 0`, `tanh(∞) = 1`).
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
