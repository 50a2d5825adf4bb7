import { defineOp, shapeError, type LayerSpec, type ParamDecl } from '@gradstream/graph';
import { GradstreamError, initSpecSchema, type Backend, type InitSpec, type Shape, type Tensor, type TypedArray } from '@gradstream/tensor';
import type { LayerOptions } from '../layer-options.js';

/**
 * Configuration of {@link multiHeadAttentionOp}.
 *
 * @example
 * ```ts
 * import type { MultiHeadAttentionConfig } from '@gradstream/ops';
 * const c: MultiHeadAttentionConfig = { heads: 4, causal: true };
 * ```
 */
export interface MultiHeadAttentionConfig {
  /** How many heads attend side by side. */
  readonly heads: number;
  /** Width of each head's queries, keys and values (default `dim / heads`). */
  readonly keyDim?: number;
  /** When true, position `i` attends only to positions `j ≤ i` (default false). */
  readonly causal?: boolean;
  /** Features per position: the last axis of `x` (default: read off the input). */
  readonly dim?: number;
  /** Initializer of the four projection weights (default `glorotUniform`). */
  readonly weightInit?: InitSpec;
  /** Initializer of the four biases (default `zeros`). */
  readonly biasInit?: InitSpec;
}

/** The sizes every part of the op works with, once `dim` and `keyDim` are known. */
interface Sizes {
  readonly dim: number;
  readonly heads: number;
  readonly keyDim: number;
  /** `heads · keyDim`: the width of the projected queries, keys and values. */
  readonly width: number;
}

function sizesOf(c: MultiHeadAttentionConfig): Sizes {
  const { dim, heads } = c;
  const keyDim = c.keyDim ?? (dim !== undefined && dim % heads === 0 ? dim / heads : undefined);
  if (dim === undefined || keyDim === undefined) {
    throw new GradstreamError('INVALID_CONFIG', `multiHeadAttention: dim (${String(dim)}) and keyDim (${String(c.keyDim)}) must be known; keyDim defaults to dim / heads only when heads (${heads}) divides dim`, {
      dim,
      keyDim: c.keyDim,
      heads,
    });
  }
  return { dim, heads, keyDim, width: heads * keyDim };
}

type ParamName = `${'query' | 'key' | 'value' | 'output'}${'Weight' | 'Bias'}`;

/** The three input projections `[heads·keyDim, dim]` and the output projection `[dim, heads·keyDim]`, each with its bias. */
function attentionParams(c: MultiHeadAttentionConfig): Readonly<Record<ParamName, ParamDecl>> {
  const { dim, width } = sizesOf(c);
  const weightInit = c.weightInit ?? { type: 'glorotUniform' };
  const biasInit = c.biasInit ?? { type: 'zeros' };
  const into = { fanIn: dim, fanOut: width };
  const out = { fanIn: width, fanOut: dim };
  return {
    queryWeight: { shape: [width, dim], init: weightInit, ...into },
    queryBias: { shape: [width], init: biasInit, ...into },
    keyWeight: { shape: [width, dim], init: weightInit, ...into },
    keyBias: { shape: [width], init: biasInit, ...into },
    valueWeight: { shape: [width, dim], init: weightInit, ...into },
    valueBias: { shape: [width], init: biasInit, ...into },
    outputWeight: { shape: [dim, width], init: weightInit, ...out },
    outputBias: { shape: [dim], init: biasInit, ...out },
  };
}

/** The batch and time axes of `x` (`[batch, T, dim]`, as outputShape checked). */
function batchAndTime(x: Tensor): readonly [number, number] {
  const [batch = 0, time = 0] = x.shape;
  return [batch, time];
}

/**
 * `[batch, T, dim]` projected through `weight`, `bias` into `proj` (`[batch·T, heads·keyDim]`),
 * then laid out per head into `into` (`[batch, heads, T, keyDim]`).
 */
function projectHeads(backend: Backend, x: TypedArray, weight: TypedArray, bias: TypedArray, proj: TypedArray, into: TypedArray, batch: number, time: number, s: Sizes): void {
  const rows = batch * time;
  backend.matmul(x, weight, proj, rows, s.width, s.dim, false, true);
  backend.addRowBroadcast(proj, bias, proj, rows, s.width);
  backend.transposeHeads(proj, into, batch, time, s.heads, s.keyDim);
}

/**
 * The gradients of one input projection from the gradient of its per-head output `dHeads`:
 * rearranged into `proj`, then `∂W = projᵀ·x`, `∂b = Σ proj` and `∂x (+)= proj·W`.
 */
function projectHeadsBackward(
  backend: Backend,
  dHeads: TypedArray,
  proj: TypedArray,
  x: TypedArray,
  weight: TypedArray,
  dWeight: TypedArray,
  dBias: TypedArray,
  dx: TypedArray | undefined,
  accumulate: boolean,
  batch: number,
  time: number,
  s: Sizes,
): void {
  const rows = batch * time;
  backend.transposeHeads(dHeads, proj, batch, s.heads, time, s.keyDim);
  backend.matmul(proj, x, dWeight, s.width, s.dim, rows, true, false);
  backend.sumRows(proj, dBias, rows, s.width);
  if (dx !== undefined) backend.matmul(proj, weight, dx, rows, s.dim, s.width, false, false, accumulate);
}

/**
 * Multi-head self-attention over a sequence: every position of `x` (`[batch, T, dim]`) gathers the
 * values of the positions it attends to, weighted by how well its query matches their keys, in
 * `heads` independent subspaces whose results are concatenated and projected back to `dim`.
 *
 * `Q = x·W_qᵀ + b_q`, `K` and `V` likewise (each weight `[heads·keyDim, dim]`, as `linear`'s);
 * per head `softmax(Q·Kᵀ/√keyDim + mask)·V`; the heads side by side, then `W_o` (`[dim,
 * heads·keyDim]`) and `b_o`. With `causal`, the mask is −∞ above the diagonal, so position `i`
 * attends only to positions `j ≤ i` and a prediction never sees what comes after it. Attention
 * alone does not know the order of positions: add a {@link positionEmbeddingOp} first.
 *
 * The projections are single large products over all `batch·T` positions; the per-(sample, head)
 * products `Q·Kᵀ` and `P·V` are each one `batchMatmul` over head-major copies, and the softmax is
 * the backend's row softmax. Memory grows with `batch·heads·T²` (the attention weights are kept
 * for backward).
 *
 * - PyTorch: `nn.MultiheadAttention(dim, heads, batch_first=True)` called as `mha(x, x, x,
 *   need_weights=False, attn_mask=causal_mask)`, with `keyDim = dim / heads`.
 * - Keras: `MultiHeadAttention(num_heads=heads, key_dim=keyDim)` called as `mha(query=x, value=x,
 *   key=x, use_causal_mask=causal)`.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { multiHeadAttention, mse, positionEmbedding } from '@gradstream/ops';
 * const model = sequential([positionEmbedding({ maxLength: 8 }), multiHeadAttention({ heads: 2, causal: true })], {
 *   inputShape: [8, 16], loss: mse(),
 * });
 * ```
 */
export const multiHeadAttentionOp = defineOp({
  name: 'multiHeadAttention',
  description: 'multi-head self-attention softmax(Q·Kᵀ/√keyDim [+ causal mask])·V over [batch, T, dim], heads concatenated and projected',
  paramsSchema: {
    type: 'object',
    properties: {
      heads: { type: 'integer', minimum: 1 },
      keyDim: { type: 'integer', minimum: 1 },
      causal: { type: 'boolean', default: false },
      dim: { type: 'integer', minimum: 1 },
      weightInit: { ...initSpecSchema, default: { type: 'glorotUniform' } },
      biasInit: { ...initSpecSchema, default: { type: 'zeros' } },
    },
    required: ['heads'],
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'] },
  fromInputs: ([x], c: MultiHeadAttentionConfig) => {
    const [, , last] = x ?? [];
    if (x?.length !== 3 || last === undefined) return {};
    const dim = c.dim ?? last;
    // A dim that contradicts x is outputShape's to report.
    if (c.keyDim !== undefined || dim !== last) return { dim };
    if (dim % c.heads !== 0) shapeError('x', `[batch,T,dim] with dim a multiple of heads (${c.heads}), or keyDim given`, x);
    return { dim, keyDim: dim / c.heads };
  },
  params: (c: MultiHeadAttentionConfig) => attentionParams(c),
  outputShape: ([x], c) => {
    if (x === undefined || x.length !== 3 || (c.dim !== undefined && x[2] !== c.dim)) shapeError('x', `[batch,T,${c.dim ?? 'dim'}] (last axis = dim)`, x ?? []);
    // Throws unless dim and keyDim are both known from here on.
    sizesOf(c);
    return x;
  },
  scratch: ([x], c) => {
    const { heads, keyDim, width } = sizesOf(c);
    const [batch, time] = [x?.[0] ?? 0, x?.[1] ?? 0];
    const perHead: Shape = [batch, heads, time, keyDim];
    const weights: Shape = [batch, heads, time, time];
    return {
      // Kept for backward: the per-head queries (already divided by √keyDim), keys and values,
      // and the attention weights.
      q: perHead,
      k: perHead,
      v: perHead,
      probs: weights,
      // The projections before the head layout, then the heads' merged output (read by backward for ∂W_o).
      proj: [batch, time, width],
      // The heads' outputs in forward, their gradient in backward.
      heads: perHead,
      // Backward only: the gradient of the scores, and of one projection's per-head output.
      dScores: weights,
      dHeads: perHead,
    };
  },
  forward({ inputs: { x }, params: p, out, scratch: s, config: c, backend }) {
    const sizes = sizesOf(c);
    const [batch, time] = batchAndTime(x);
    const blocks = batch * sizes.heads;
    projectHeads(backend, x.data, p.queryWeight.data, p.queryBias.data, s.proj.data, s.q.data, batch, time, sizes);
    // Dividing the queries rather than the scores: batch·T·width values, not batch·heads·T².
    backend.scale(s.q.data, 1 / Math.sqrt(sizes.keyDim), s.q.data);
    projectHeads(backend, x.data, p.keyWeight.data, p.keyBias.data, s.proj.data, s.k.data, batch, time, sizes);
    projectHeads(backend, x.data, p.valueWeight.data, p.valueBias.data, s.proj.data, s.v.data, batch, time, sizes);
    backend.batchMatmul(s.q.data, s.k.data, s.probs.data, blocks, time, time, sizes.keyDim, false, true);
    if (c.causal === true) backend.causalMask(s.probs.data, blocks, time);
    backend.softmaxRows(s.probs.data, s.probs.data, blocks * time, time);
    backend.batchMatmul(s.probs.data, s.v.data, s.heads.data, blocks, time, sizes.keyDim, time, false, false);
    backend.transposeHeads(s.heads.data, s.proj.data, batch, sizes.heads, time, sizes.keyDim);
    backend.matmul(s.proj.data, p.outputWeight.data, out.data, batch * time, sizes.dim, sizes.width, false, true);
    backend.addRowBroadcast(out.data, p.outputBias.data, out.data, batch * time, sizes.dim);
  },
  backward({ dy, saved, params: p, dInputs, dParams: d, scratch: s, config: c, backend }) {
    const sizes = sizesOf(c);
    const x = saved.inputs.x;
    const [batch, time] = batchAndTime(x);
    const rows = batch * time;
    const blocks = batch * sizes.heads;
    const dx = dInputs.x?.data;
    // The output projection, from the merged heads still in proj; then the heads' gradient.
    backend.matmul(dy.data, s.proj.data, d.outputWeight.data, sizes.dim, sizes.width, rows, true, false);
    backend.sumRows(dy.data, d.outputBias.data, rows, sizes.dim);
    backend.matmul(dy.data, p.outputWeight.data, s.proj.data, rows, sizes.width, sizes.dim, false, false);
    backend.transposeHeads(s.proj.data, s.heads.data, batch, time, sizes.heads, sizes.keyDim);
    // P·V: ∂P = ∂O·Vᵀ and ∂V = Pᵀ·∂O.
    backend.batchMatmul(s.heads.data, s.v.data, s.dScores.data, blocks, time, time, sizes.keyDim, false, true);
    backend.batchMatmul(s.probs.data, s.heads.data, s.dHeads.data, blocks, time, sizes.keyDim, time, true, false);
    projectHeadsBackward(backend, s.dHeads.data, s.proj.data, x.data, p.valueWeight.data, d.valueWeight.data, d.valueBias.data, dx, false, batch, time, sizes);
    // Masked weights are 0, so the softmax's backward gives their scores no gradient.
    backend.softmaxRowsBackward(s.probs.data, s.dScores.data, s.dScores.data, blocks * time, time);
    // Scores = (Q/√keyDim)·Kᵀ, with q holding Q/√keyDim: ∂Q = ∂S·K/√keyDim and ∂K = ∂Sᵀ·q.
    backend.batchMatmul(s.dScores.data, s.k.data, s.dHeads.data, blocks, time, sizes.keyDim, time, false, false);
    backend.scale(s.dHeads.data, 1 / Math.sqrt(sizes.keyDim), s.dHeads.data);
    projectHeadsBackward(backend, s.dHeads.data, s.proj.data, x.data, p.queryWeight.data, d.queryWeight.data, d.queryBias.data, dx, true, batch, time, sizes);
    backend.batchMatmul(s.dScores.data, s.q.data, s.dHeads.data, blocks, time, sizes.keyDim, time, true, false);
    projectHeadsBackward(backend, s.dHeads.data, s.proj.data, x.data, p.keyWeight.data, d.keyWeight.data, d.keyBias.data, dx, true, batch, time, sizes);
  },
  gradcheckCase: (rng) => {
    const heads = 1 + rng.int(3);
    const keyDim = 1 + rng.int(3);
    const causal = rng.next() < 0.5;
    // Half the cases give keyDim and a dim of their own; the others leave both to be inferred.
    const explicit = rng.next() < 0.5;
    const dim = explicit ? 1 + rng.int(4) : heads * keyDim;
    return {
      config: explicit ? { heads, keyDim, dim, causal } : { heads, causal },
      inputShapes: [[1 + rng.int(3), 1 + rng.int(4), dim]],
    };
  },
});

/**
 * A {@link multiHeadAttentionOp} layer: self-attention over `[batch, T, dim]`, `dim` read off the input.
 *
 * @example
 * ```ts
 * import { multiHeadAttention } from '@gradstream/ops';
 * multiHeadAttention({ heads: 4, causal: true });
 * ```
 */
export function multiHeadAttention(config: MultiHeadAttentionConfig & LayerOptions): LayerSpec {
  return { op: multiHeadAttentionOp.name, ...config };
}
