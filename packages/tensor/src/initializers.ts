import { GradstreamError } from './errors.js';
import type { Rng } from './rng.js';
import type { Tensor } from './tensor.js';

/**
 * How to fill a parameter tensor, as a JSON-serializable description (so model specs round-trip).
 * `fanIn` / `fanOut` are the number of inputs and outputs of the layer that owns the tensor.
 *
 * - `zeros`, `ones`, `constant {value}`
 * - `uniform {min = -0.05, max = 0.05}`, `normal {mean = 0, std = 0.05}`
 * - `glorotUniform` (Xavier): U(±√(6/(fanIn+fanOut))); `glorotNormal`: N(0, 2/(fanIn+fanOut))
 * - `heUniform`: U(±√(6/fanIn)); `heNormal`: N(0, 2/fanIn) — for ReLU layers
 *
 * @example
 * ```ts
 * import type { InitSpec } from '@gradstream/tensor';
 * const w: InitSpec = { type: 'constant', value: 0.5 };
 * ```
 */
export type InitSpec =
  | { readonly type: 'zeros' }
  | { readonly type: 'ones' }
  | { readonly type: 'constant'; readonly value: number }
  | { readonly type: 'uniform'; readonly min?: number; readonly max?: number }
  | { readonly type: 'normal'; readonly mean?: number; readonly std?: number }
  | { readonly type: 'glorotUniform' }
  | { readonly type: 'glorotNormal' }
  | { readonly type: 'heUniform' }
  | { readonly type: 'heNormal' };

/**
 * JSON Schema of {@link InitSpec}, for op plugins whose configuration takes an initializer.
 *
 * @example
 * ```ts
 * import { initSpecSchema } from '@gradstream/tensor';
 * const schema = { type: 'object', properties: { weightInit: initSpecSchema } };
 * ```
 */
export const initSpecSchema = Object.freeze({
  oneOf: [
    { type: 'object', properties: { type: { enum: ['zeros', 'ones', 'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal'] } }, required: ['type'], additionalProperties: false },
    { type: 'object', properties: { type: { const: 'constant' }, value: { type: 'number' } }, required: ['type', 'value'], additionalProperties: false },
    { type: 'object', properties: { type: { const: 'uniform' }, min: { type: 'number' }, max: { type: 'number' } }, required: ['type'], additionalProperties: false },
    { type: 'object', properties: { type: { const: 'normal' }, mean: { type: 'number' }, std: { type: 'number', minimum: 0 } }, required: ['type'], additionalProperties: false },
  ],
} as const);

/**
 * Fills `target` in place as `spec` says, drawing randomness from `rng`.
 *
 * @param fanIn - inputs of the owning layer (for Glorot and He scaling)
 * @param fanOut - outputs of the owning layer (for Glorot scaling)
 * @example
 * ```ts
 * import { Rng, Tensor, initialize } from '@gradstream/tensor';
 * const w = Tensor.zeros([8, 2]);
 * initialize({ type: 'glorotUniform' }, w, 2, 8, Rng.fromSeed(1));
 * ```
 */
export function initialize(spec: InitSpec, target: Tensor, fanIn: number, fanOut: number, rng: Rng): void {
  const d = target.data;
  switch (spec.type) {
    case 'zeros':
      d.fill(0);
      return;
    case 'ones':
      d.fill(1);
      return;
    case 'constant':
      d.fill(spec.value);
      return;
    case 'uniform':
      fillUniform(d, spec.min ?? -0.05, spec.max ?? 0.05, rng);
      return;
    case 'normal':
      fillNormal(d, spec.mean ?? 0, spec.std ?? 0.05, rng);
      return;
    case 'glorotUniform': {
      const limit = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
      fillUniform(d, -limit, limit, rng);
      return;
    }
    case 'glorotNormal':
      fillNormal(d, 0, Math.sqrt(2 / Math.max(1, fanIn + fanOut)), rng);
      return;
    case 'heUniform': {
      const limit = Math.sqrt(6 / Math.max(1, fanIn));
      fillUniform(d, -limit, limit, rng);
      return;
    }
    case 'heNormal':
      fillNormal(d, 0, Math.sqrt(2 / Math.max(1, fanIn)), rng);
      return;
    default:
      throw new GradstreamError('INVALID_CONFIG', `initialize: unknown initializer ${JSON.stringify(spec)}`, { spec });
  }
}

function fillUniform(d: Float32Array | Float64Array, min: number, max: number, rng: Rng): void {
  for (let i = 0; i < d.length; i++) d[i] = rng.uniform(min, max);
}

function fillNormal(d: Float32Array | Float64Array, mean: number, std: number, rng: Rng): void {
  for (let i = 0; i < d.length; i++) d[i] = mean + std * rng.normal();
}
