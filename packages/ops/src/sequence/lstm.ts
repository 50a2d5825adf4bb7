import { defineOp, type LayerSpec } from '@gradstream/graph';
import { initSpecSchema, type InitSpec } from '@gradstream/tensor';
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
 * Configuration of {@link lstmOp}.
 *
 * @example
 * ```ts
 * import type { LstmConfig } from '@gradstream/ops';
 * const c: LstmConfig = { units: 64, forgetBiasInit: { type: 'zeros' } };
 * ```
 */
export interface LstmConfig extends RecurrentConfig {
  /** Initializer of `forgetBias`, added to the forget gate's bias (default `ones`: Keras' `unit_forget_bias`). */
  readonly forgetBiasInit?: InitSpec;
}

/** Gates per unit: i, f, g, o. */
const GATES = 4;

/**
 * A long short-term memory layer with PyTorch's equations, starting from c₀ = h₀ = 0, for every
 * step t of `x`, `[batch, steps, features]`:
 *
 * i = σ(W_ii x + W_hi h + b_i), f = σ(W_if x + W_hf h + b_f), g = tanh(W_ig x + W_hg h + b_g),
 * o = σ(W_io x + W_ho h + b_o), c′ = f ⊙ c + i ⊙ g, h′ = o ⊙ tanh(c′).
 *
 * The output is the last state h, `[batch, units]`, or with `returnSequences` every step's,
 * `[batch, steps, units]`. Parameters, gates stacked in the order i, f, g, o as PyTorch's:
 * `weight` `[4·units, inputSize]` (`weight_ih_l0`), `recurrentWeight` `[4·units, units]`
 * (`weight_hh_l0`), `bias` `[4·units]` and `forgetBias` `[units]`: b = `bias`, with `forgetBias`
 * added to its f part (PyTorch's `bias_ih_l0 + bias_hh_l0`). `forgetBias` starts at 1, so the
 * forget gate starts open and the cell remembers from the first steps (Keras' `unit_forget_bias`;
 * `forgetBiasInit: { type: 'zeros' }` starts as PyTorch does apart from its initializers).
 * `inputSize` is read off the input.
 *
 * Forward projects every step's input with one matmul, then runs one small matmul and one fused
 * cell kernel per step; backward walks the steps in reverse (backpropagation through time), then
 * finds the weights' and the input's gradients with one matmul each over all steps. Nothing is
 * allocated per step.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { dense, lstm, mse } from '@gradstream/ops';
 * // 20 steps of 3 features → 1 value
 * const model = sequential([lstm({ units: 16 }), dense({ inFeatures: 16, outFeatures: 1 })], { inputShape: [20, 3], loss: mse() });
 * ```
 */
export const lstmOp = defineOp({
  name: 'lstm',
  description: 'long short-term memory over [batch, steps, features] (PyTorch equations), the last state or every state',
  paramsSchema: {
    type: 'object',
    properties: { ...RECURRENT_PROPERTIES, forgetBiasInit: { ...initSpecSchema, default: { type: 'ones' } } },
    required: ['units'],
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'] },
  params: (c: LstmConfig) => ({
    ...recurrentWeights('lstm', c, GATES),
    forgetBias: { shape: [c.units], init: c.forgetBiasInit ?? { type: 'ones' }, fanIn: c.units, fanOut: c.units },
  }),
  fromInputs: (shapes) => recurrentFromInputs(shapes),
  outputShape: (shapes, c) => recurrentShape(shapes, c),
  scratch: (shapes, c) => ({
    // The cache holds i, f, g, o, the previous c and tanh of the new one.
    ...recurrentScratch(shapes, c.units, GATES, 6),
    // The cell state; in backward, ∂L/∂c.
    c: [shapes[0]?.[0] ?? 0, c.units],
    // bias with forgetBias added to its f part.
    gateBias: [GATES * c.units],
  }),
  forward({ inputs: { x }, params, out, scratch, config: cfg, backend }) {
    const batch = x.shape[0] ?? 0;
    const steps = x.shape[1] ?? 0;
    const features = x.shape[2] ?? 0;
    const u = cfg.units;
    const width = GATES * u;
    const { proj, step, h, c, hPrev, cache, gateBias } = scratch;
    backend.copy(params.bias.data, gateBias.data);
    backend.copyBlocks(params.forgetBias.data, gateBias.data, 1, u, u, u, 0, u, true);
    backend.matmul(x.data, params.weight.data, proj.data, batch * steps, width, features, false, true);
    backend.addRowBroadcast(proj.data, gateBias.data, proj.data, batch * steps, width);
    backend.fill(h.data, 0);
    backend.fill(c.data, 0);
    for (let t = 0; t < steps; t++) {
      backend.matmul(h.data, params.recurrentWeight.data, step.data, batch, width, u, false, true);
      backend.lstmCell(proj.data, step.data, h.data, c.data, hPrev.data, cache.data, batch, steps, t, u);
    }
    writeStates(backend, hPrev.data, h.data, out.data, batch, steps, u, cfg.returnSequences === true);
  },
  backward({ dy, saved, params, dInputs, dParams, scratch, config: cfg, backend }) {
    const x = saved.inputs.x;
    const batch = x.shape[0] ?? 0;
    const steps = x.shape[1] ?? 0;
    const features = x.shape[2] ?? 0;
    const u = cfg.units;
    const width = GATES * u;
    const all = cfg.returnSequences === true;
    // proj, step, h and c now carry gradients: of the pre-activations of every step and of one step, of h and of c.
    const { proj: dProj, step: dRec, h: dh, c: dc, hPrev, cache } = scratch;
    startStates(backend, dy.data, dh.data, all);
    backend.fill(dc.data, 0);
    for (let t = steps - 1; t >= 0; t--) {
      addStepGradient(backend, dy.data, dh.data, batch, steps, t, u, all);
      backend.lstmCellBackward(cache.data, dh.data, dc.data, dProj.data, dRec.data, batch, steps, t, u);
      if (t > 0) backend.matmul(dRec.data, params.recurrentWeight.data, dh.data, batch, u, width, false, false);
    }
    const rows = batch * steps;
    backend.matmul(dProj.data, x.data, dParams.weight.data, width, features, rows, true, false);
    backend.matmul(dProj.data, hPrev.data, dParams.recurrentWeight.data, width, u, rows, true, false);
    backend.sumRows(dProj.data, dParams.bias.data, rows, width);
    backend.copyBlocks(dParams.bias.data, dParams.forgetBias.data, 1, u, u, u, u, 0);
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
 * An {@link lstmOp} layer.
 *
 * @example
 * ```ts
 * import { lstm } from '@gradstream/ops';
 * lstm({ units: 32 }); // { op: 'lstm', units: 32 }
 * ```
 */
export function lstm(config: LstmConfig & LayerOptions): LayerSpec {
  return { op: lstmOp.name, ...config };
}
