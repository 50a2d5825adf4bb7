import { defineOp, expectRows, layerOf, type OnnxExporter, type OpConfig } from '@gradstream/graph';

/** Swish as ONNX: β becomes the initializer `swish_1.beta` (it broadcasts over the rows, as here), then y = x · Sigmoid(x · β). */
const swishToOnnx: OnnxExporter<'beta'> = (ctx) => {
  const gate = ctx.node('Sigmoid', ctx.node('Mul', [...ctx.inputs, ctx.initializer('beta', ctx.params.beta)]));
  ctx.node('Mul', [...ctx.inputs, ...gate], [ctx.output]);
};

/**
 * Learnable-scale swish `y = x · σ(β ⊙ x)`, one β per feature (initialised to 1, where it is the
 * plain swish x·σ(x)). Input and output are `[batch, features]`, β is `[features]`; a layer that
 * leaves `features` out gets the width of its input.
 *
 * With s = σ(β·x) and σ′ = s·(1 − s), the local derivatives are ∂y/∂x = s + β·x·σ′ and
 * ∂y/∂β = x²·σ′. Forward keeps s in a scratch buffer shaped like x, so backward never evaluates an
 * exponential again, and saves x, which both derivatives need. Its `toOnnx` writes it as ONNX nodes
 * (Mul, Sigmoid, Mul, β as an initializer), so `toOnnx` of `@gradstream/onnx` exports models holding it.
 * The configuration's type comes from the schema, the scratch and parameter names from where they
 * are declared: nothing is written twice, and nothing is cast.
 */
export const swishOp = defineOp({
  name: 'swish',
  description: 'learnable-scale swish y = x·σ(β·x), one β per feature',
  paramsSchema: { type: 'object', properties: { features: { type: 'integer', minimum: 1 } }, additionalProperties: false },
  inputs: ['x'], save: { inputs: ['x'] },
  scratch: { gate: 'x' }, // s = σ(β·x), shaped like x: written by forward, read by backward
  fromInputs: { features: ([x]) => x?.at(-1) },
  params: ({ features: n }) => ({ beta: { shape: [n], init: { type: 'constant', value: 1 }, fanIn: n, fanOut: n } }),
  outputShape: ([x], { features }) => [expectRows('x', x, features), features],
  forward({ inputs: { x }, params: { beta }, scratch: { gate }, out, config: { features } }) {
    for (let i = 0; i < out.data.length; i++) {
      const s = 1 / (1 + Math.exp(-beta.data[i % features]! * x.data[i]!));
      gate.data[i] = s;
      out.data[i] = x.data[i]! * s;
    }
  },
  backward({ dy, saved: { inputs: { x } }, params: { beta }, scratch: { gate }, dInputs, dParams, config: { features } }) {
    for (let j = 0; j < features; j++) {
      let sum = 0; // β_j is shared by every row: its gradient is the sum of theirs, written once
      for (let i = j; i < x.data.length; i += features) {
        const xi = x.data[i]!, s = gate.data[i]!, slope = s * (1 - s), g = dy.data[i]!;
        sum += g * xi * xi * slope;
        if (dInputs.x) dInputs.x.data[i] = g * (s + beta.data[j]! * xi * slope);
      }
      dParams.beta.data[j] = sum;
    }
  },
  gradcheckCase: (rng) => ({ config: {}, inputShapes: [[1 + rng.int(4), 1 + rng.int(5)]] }),
  toOnnx: swishToOnnx,
});

/** Configuration of {@link swishOp}, as its functions see it: `{ features }`, from its schema. */
export type SwishConfig = OpConfig<typeof swishOp>;

/** A {@link swishOp} layer for `sequential` or a model spec: `swish()` reads `features` off its input. */
export const swish = layerOf(swishOp);
