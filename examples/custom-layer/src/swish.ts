import { defineOp, expectRows, type LayerSpec } from '@gradstream/graph';
import type { LayerOptions } from '@gradstream/ops';
import type { Shape, Tensor } from '@gradstream/tensor';

/** Configuration of {@link swishOp}. */
export interface SwishConfig {
  /** Width of the input and output rows, and the number of β. */
  readonly features: number;
}

/**
 * Learnable-scale swish `y = x · σ(β ⊙ x)`, one β per feature (initialised to 1, where it is the
 * plain swish x·σ(x)). Input and output are `[batch, features]`, β is `[features]`.
 *
 * With s = σ(β·x) and σ′ = s·(1 − s), the local derivatives are ∂y/∂x = s + β·x·σ′ and
 * ∂y/∂β = x²·σ′. Forward keeps s in a scratch buffer so backward never evaluates an exponential
 * again, and saves x, which both derivatives need. Its `toOnnx` writes it as ONNX nodes (Mul,
 * Sigmoid, Mul, β as an initializer), so `toOnnx` of `@gradstream/onnx` exports models holding it.
 */
export const swishOp = defineOp({
  name: 'swish',
  description: 'learnable-scale swish y = x·σ(β·x), one β per feature',
  paramsSchema: {
    type: 'object',
    properties: { features: { type: 'integer', minimum: 1 } },
    required: ['features'],
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'] },
  params: (c: SwishConfig) => ({
    beta: { shape: [c.features], init: { type: 'constant', value: 1 }, fanIn: c.features, fanOut: c.features },
  }),
  outputShape: ([x], c) => [expectRows('x', x, c.features), c.features],
  scratch: ([x]: readonly Shape[]) => ({ gate: x as Shape }),
  forward({ inputs: { x }, params: { beta }, scratch, out, config: { features } }) {
    const xs = x.data;
    const b = beta.data;
    const s = (scratch.gate as { data: Float32Array | Float64Array }).data;
    const y = out.data;
    for (let i = 0; i < y.length; i += features) {
      for (let j = 0; j < features; j++) {
        const xi = xs[i + j] as number;
        const si = 1 / (1 + Math.exp(-(b[j] as number) * xi));
        s[i + j] = si;
        y[i + j] = xi * si;
      }
    }
  },
  backward({ dy, saved, params: { beta }, scratch, dInputs, dParams, config: { features } }) {
    const xs = saved.inputs.x.data;
    const b = beta.data;
    const s = (scratch.gate as { data: Float32Array | Float64Array }).data;
    const g = dy.data;
    const dx = dInputs.x?.data;
    const dBeta = dParams.beta.data;
    for (let j = 0; j < features; j++) {
      // β_j is shared by every row, so its gradient is the sum of theirs; summed here, then written once.
      let sum = 0;
      for (let i = j; i < xs.length; i += features) {
        const xi = xs[i] as number;
        const si = s[i] as number;
        const slope = si * (1 - si);
        const gi = g[i] as number;
        sum += gi * xi * xi * slope;
        if (dx) dx[i] = gi * (si + (b[j] as number) * xi * slope);
      }
      dBeta[j] = sum;
    }
  },
  gradcheckCase: (rng) => {
    const features = 1 + rng.int(5);
    return { config: { features }, inputShapes: [[1 + rng.int(4), features]] };
  },
  // ONNX, for `toOnnx` of @gradstream/onnx: β becomes the initializer `swish_1.beta` (it broadcasts
  // over the rows, as here), then y = x · Sigmoid(x · β) as three ONNX nodes.
  toOnnx: (ctx) => {
    const [x] = ctx.inputs as [string];
    const beta = ctx.initializer('beta', ctx.params['beta'] as Tensor);
    const [bx] = ctx.node('Mul', [x, beta]) as [string];
    const [gate] = ctx.node('Sigmoid', [bx]) as [string];
    ctx.node('Mul', [x, gate], [ctx.output]);
  },
});

/** A {@link swishOp} layer for `sequential` or a model spec. */
export function swish(config: SwishConfig & LayerOptions): LayerSpec {
  return { op: swishOp.name, ...config };
}
