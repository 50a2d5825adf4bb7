import { GradstreamError } from '@gradstream/tensor';
import { deepFreeze, jsonCopy } from './json.js';
import { buildModel, type BuildOptions } from '../model/build.js';
import type { Model, ModelLayer } from '../model/model.js';
import { didYouMean } from '../contract/closest.js';
import type { CompiledSchema } from '../contract/config-validator.js';
import { compileSchema } from '../contract/schema-check.js';
import { defaultRegistry, type Registry } from '../contract/registry.js';
import { formatSchemaErrors, problemLines, type SchemaProblem } from '../contract/schema-errors.js';
import { NONE_REGISTERED, SPEC_LIMITS, isLoss, specEnvelopeSchema } from '../model/spec-schema.js';
import { SPEC_VERSION, type LayerSpec, type ModelSpec } from '../model/spec.js';

let envelope: CompiledSchema | undefined;
/** The spec's own fields and each layer's `op`, `name` and `inputs` (model/spec-schema.ts), compiled on first use. */
const validateEnvelope = (): CompiledSchema => (envelope ??= compileSchema(specEnvelopeSchema()));

/** What a layer holds besides its op's configuration. */
const LAYER_FIELDS = new Set(['op', 'name', 'inputs']);

/**
 * The problems of each layer naming its op: an op the registry lacks (or one that is no loss
 * standing in `loss`), else its configuration against its op's schema, below the layer's path.
 */
function layerProblems(json: unknown, registry: Registry): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const record = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!record(json)) return problems;
  const ops = registry.names();
  const losses = ops.filter((name) => isLoss(registry.get(name)));
  const check = (layer: unknown, path: string, allowed: readonly string[]): void => {
    // A layer without a string op is the envelope's problem, reported there.
    if (!record(layer) || typeof layer.op !== 'string') return;
    const op = layer.op;
    if (!allowed.includes(op)) {
      const list = allowed.length > 0 ? allowed : [NONE_REGISTERED];
      problems.push({ path: `${path}/op`, message: `must be one of ${JSON.stringify(list)}, got ${JSON.stringify(op)}${didYouMean(op, list)}` });
      return;
    }
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(layer)) if (!LAYER_FIELDS.has(key)) config[key] = value;
    problems.push(...registry.configProblems(op, config, path));
  };
  // Beyond the limit the envelope has refused the spec already: a million layers are not each checked.
  if (Array.isArray(json.layers) && json.layers.length <= SPEC_LIMITS.layers) json.layers.forEach((layer: unknown, i) => check(layer, `layers/${i}`, ops));
  check(json.loss, 'loss', losses);
  return problems;
}

/**
 * Checks a JSON value against {@link specSchema} for the registry's ops, reporting every problem
 * at once: an `INVALID_SPEC` error with one line per problem and its JSON path
 * (`layers/1/outFeatures must be >= 1`, `layers/2/op must be one of ["linear","mse","sigmoid"], got "relu"`).
 * `details.problems` holds them as `{ path, message }`.
 *
 * Only the schema is checked here; wiring (unknown inputs, duplicate names) and shapes are
 * checked when the model is built.
 *
 * @param json - a parsed spec, e.g. from `JSON.parse`
 * @param registry - whose ops layers may name (default: {@link defaultRegistry})
 * @returns the same value, typed as a spec
 * @example
 * ```ts
 * import { validateSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const spec = validateSpec(JSON.parse('{"version":1,"inputShape":[1],"layers":[{"op":"sigmoid"}],"loss":{"op":"mse"}}'));
 * ```
 * @see {@link fromSpec}
 */
export function validateSpec(json: unknown, registry: Registry = defaultRegistry): ModelSpec {
  // Every problem at once: the envelope's, then each layer's against its op.
  const validate = validateEnvelope();
  const problems = validate(json) ? [] : formatSchemaErrors('', validate.errors, { schema: specEnvelopeSchema(), data: json });
  problems.push(...layerProblems(json, registry));
  if (problems.length > 0) throw new GradstreamError('INVALID_SPEC', `invalid model spec:\n${problemLines(problems)}`, { problems });
  return json as ModelSpec;
}

/**
 * The model's spec as plain, deep-frozen JSON: every node's name and inputs spelled out and each
 * layer's configuration with its schema defaults filled in, so that the spec rebuilds the same
 * model even if an op's defaults change later. Feed it to {@link fromSpec}, or keep it in a
 * checkpoint.
 *
 * @example
 * ```ts
 * import { sequential, toSpec } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse() });
 * JSON.stringify(toSpec(model));
 * // {"version":1,"inputShape":[2],"layers":[{"op":"linear","name":"linear_1","inputs":["x"],"inFeatures":2,…}],…}
 * ```
 */
export function toSpec(model: Model): ModelSpec {
  const layer = (l: ModelLayer, path: string): LayerSpec => ({
    op: l.plugin.name,
    name: l.name,
    inputs: [...l.inputs],
    ...(jsonCopy(l.config, path) as Record<string, unknown>),
  });
  const spec: ModelSpec = {
    version: SPEC_VERSION,
    inputShape: [...model.inputShape],
    layers: model.layers.slice(0, -1).map((l, i) => layer(l, `layers/${i}`)),
    loss: layer(model.layers[model.layers.length - 1] as ModelLayer, 'loss'),
    output: model.spec.output as string,
    dtype: model.dtype,
  };
  return deepFreeze(spec);
}

/**
 * Builds a model from a JSON spec: {@link validateSpec} (every schema problem at once), then
 * {@link buildModel}. Parameters are initialised from the seed, so the same spec and seed give a
 * model with bit-identical outputs; to carry trained parameters over, use a checkpoint.
 *
 * @param json - a parsed spec
 * @param options - the registry to resolve ops in, the seed, the backend
 * @example
 * ```ts
 * import { fromSpec, toSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec(JSON.parse('{"version":1,"inputShape":[2],"layers":[{"op":"linear","inFeatures":2,"outFeatures":1}],"loss":{"op":"mse"}}'), { seed: 3 });
 * const again = fromSpec(JSON.parse(JSON.stringify(toSpec(model))), { seed: 3 }); // same outputs
 * ```
 * @see {@link toSpec}
 */
export function fromSpec(json: unknown, options: BuildOptions = {}): Model {
  return buildModel(validateSpec(json, options.registry ?? defaultRegistry), options);
}
