import { defineOp, type LayerSpec } from '@gradstream/graph';
import type { LayerOptions } from '../layer-options.js';
import {
  RECURRENT_PROPERTIES,
  addStepGradient,
  recurrentFromInputs,
  recurrentScratch,
  recurrentShape,
  recurrentWeights,
  startStates,
  writeStates,
  type RecurrentConfig,
} from './recurrent.js';

/**
 * Configuration of {@link gruOp}.
 *
 * @example
 * ```ts
 * import type { GruConfig } from '@gradstream/ops';
 * const c: GruConfig = { units: 64, returnSequences: true };
 * ```
 */
export type GruConfig = RecurrentConfig;

/** Gates per unit: r, z, n. */
const GATES = 3;

/**
 * A gated recurrent unit layer with PyTorch's equations (ONNX's GRU with
 * `linear_before_reset = 1`), starting from h₀ = 0, for every step t of `x`, `[batch, steps, features]`:
 *
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h′ = (1 − z) ⊙ n + z ⊙ h.
 *
 * The output is the last state, `[batch, units]`, or with `returnSequences` every step's,
 * `[batch, steps, units]` (to stack layers, or to predict at every step). Parameters, gates stacked
 * in the order r, z, n as PyTorch's `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`:
 * `weight` `[3·units, inputSize]`, `recurrentWeight` `[3·units, units]`, `bias` and
 * `recurrentBias` `[3·units]`. `inputSize` is read off the input.
 *
 * Forward projects every step's input with one matmul (`[batch·steps, features]·Wᵀ`), then runs
 * one small matmul and one fused cell kernel per step. Backward walks the steps in reverse
 * (backpropagation through time) with the cell's backward kernel and one matmul per step for
 * ∂L/∂h, then finds the weights' and the input's gradients with one matmul each over all steps.
 * Nothing is allocated per step.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { dense, embedding, gru, softmaxCrossEntropy } from '@gradstream/ops';
 * // sequences of 7 tokens out of 12 → one of 4 classes
 * const model = sequential([embedding({ vocabSize: 12, dim: 8 }), gru({ units: 16 }), dense({ inFeatures: 16, outFeatures: 4 })], {
 *   inputShape: [7], loss: softmaxCrossEntropy(),
 * });
 * ```
 */
export const gruOp = defineOp({
  name: 'gru',
  description: 'gated recurrent unit over [batch, steps, features] (PyTorch equations), the last state or every state',
  paramsSchema: {
    type: 'object',
    properties: RECURRENT_PROPERTIES,
    required: ['units'],
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'] },
  params: (c: GruConfig) => {
    const { weight, recurrentWeight, bias } = recurrentWeights('gru', c, GATES);
    return { weight, recurrentWeight, bias, recurrentBias: { ...bias } };
  },
  fromInputs: (shapes) => recurrentFromInputs(shapes),
  outputShape: (shapes, c) => recurrentShape(shapes, c),
  scratch: (shapes, c) => {
    // The cache holds r, z, n and the recurrent n projection; dRecSeq the recurrent projections' gradient.
    const s = recurrentScratch(shapes, c.units, GATES, 4);
    return { ...s, dRecSeq: s.proj };
  },
  forward({ inputs: { x }, params, out, scratch, config: c, backend }) {
    const batch = x.shape[0] ?? 0;
    const steps = x.shape[1] ?? 0;
    const features = x.shape[2] ?? 0;
    const u = c.units;
    const width = GATES * u;
    const { proj, step, h, hPrev, cache } = scratch;
    backend.matmul(x.data, params.weight.data, proj.data, batch * steps, width, features, false, true);
    backend.addRowBroadcast(proj.data, params.bias.data, proj.data, batch * steps, width);
    backend.fill(h.data, 0);
    for (let t = 0; t < steps; t++) {
      backend.matmul(h.data, params.recurrentWeight.data, step.data, batch, width, u, false, true);
      backend.addRowBroadcast(step.data, params.recurrentBias.data, step.data, batch, width);
      backend.gruCell(proj.data, step.data, h.data, hPrev.data, cache.data, batch, steps, t, u);
    }
    writeStates(backend, hPrev.data, h.data, out.data, batch, steps, u, c.returnSequences === true);
  },
  backward({ dy, saved, params, dInputs, dParams, scratch, config: c, backend }) {
    const x = saved.inputs.x;
    const batch = x.shape[0] ?? 0;
    const steps = x.shape[1] ?? 0;
    const features = x.shape[2] ?? 0;
    const u = c.units;
    const width = GATES * u;
    const all = c.returnSequences === true;
    // proj, step and h now carry gradients: of the input projections, of one step's recurrent projection, of h.
    const { proj: dProj, step: dRec, h: dh, hPrev, cache, dRecSeq } = scratch;
    startStates(backend, dy.data, dh.data, all);
    for (let t = steps - 1; t >= 0; t--) {
      addStepGradient(backend, dy.data, dh.data, batch, steps, t, u, all);
      backend.gruCellBackward(cache.data, hPrev.data, dh.data, dProj.data, dRecSeq.data, dRec.data, batch, steps, t, u);
      if (t > 0) backend.matmul(dRec.data, params.recurrentWeight.data, dh.data, batch, u, width, false, false, true);
    }
    const rows = batch * steps;
    backend.matmul(dProj.data, x.data, dParams.weight.data, width, features, rows, true, false);
    backend.matmul(dRecSeq.data, hPrev.data, dParams.recurrentWeight.data, width, u, rows, true, false);
    backend.sumRows(dProj.data, dParams.bias.data, rows, width);
    backend.sumRows(dRecSeq.data, dParams.recurrentBias.data, rows, width);
    if (dInputs.x) backend.matmul(dProj.data, params.weight.data, dInputs.x.data, rows, features, width, false, false);
  },
  gradcheckCase: (rng) => {
    const units = 1 + rng.int(4);
    const features = 1 + rng.int(4);
    return {
      config: { units, returnSequences: rng.next() < 0.5 },
      inputShapes: [[1 + rng.int(3), 1 + rng.int(4), features]],
    };
  },
});

/**
 * A {@link gruOp} layer.
 *
 * @example
 * ```ts
 * import { gru } from '@gradstream/ops';
 * gru({ units: 32, returnSequences: true }); // { op: 'gru', units: 32, returnSequences: true }
 * ```
 */
export function gru(config: GruConfig & LayerOptions): LayerSpec {
  return { op: gruOp.name, ...config };
}
