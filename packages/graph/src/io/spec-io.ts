import { Ajv, type ValidateFunction } from 'ajv';
import { GradstreamError } from '@gradstream/tensor';
import { deepFreeze, jsonCopy } from './json.js';
import { buildModel, type BuildOptions } from '../model/build.js';
import type { Model, ModelLayer } from '../model/model.js';
import { defaultRegistry, type Registry } from '../contract/registry.js';
import { formatSchemaErrors, problemLines } from '../contract/schema-errors.js';
import { isLoss, specSchema, specSchemaOf } from '../model/spec-schema.js';
import { SPEC_VERSION, type LayerSpec, type ModelSpec } from '../model/spec.js';

interface Compiled {
  readonly version: number;
  /** Over every op of the registry: for specs naming an op it lacks, or an op where it may not stand. */
  all: ValidateFunction | undefined;
  /** Over the ops a spec names, by their sorted names. */
  readonly subsets: Map<string, ValidateFunction>;
}

// Compiled validators per registry, rebuilt when the registry has gained ops since.
const compiled = new WeakMap<Registry, Compiled>();
/** Validators kept per registry for sets of ops; a program building many kinds of models recompiles past this. */
const MAX_SUBSETS = 32;

function compile(schema: object): ValidateFunction {
  // verbose: discriminator errors then carry their schema, so an unknown op's message can list the known ones.
  return new Ajv({ allErrors: true, discriminator: true, strict: false, verbose: true }).compile(schema);
}

/**
 * The validator for a spec: over the ops it names when each is registered and stands where it may
 * (a loss in `loss`) — the same answer as the whole registry's, compiled several times faster, so
 * that a first `fromSpec` or `loadCheckpoint` answers in milliseconds — else over the whole
 * registry, whose messages list every op a position takes.
 */
function validatorFor(json: unknown, registry: Registry): ValidateFunction {
  let cached = compiled.get(registry);
  if (cached === undefined || cached.version !== registry.version) {
    cached = { version: registry.version, all: undefined, subsets: new Map() };
    compiled.set(registry, cached);
  }
  const ops = opsNamed(json, registry);
  if (ops === undefined) return (cached.all ??= compile(specSchema(registry) as object));
  const key = ops.join('\n');
  let validate = cached.subsets.get(key);
  if (validate === undefined) {
    if (cached.subsets.size >= MAX_SUBSETS) cached.subsets.clear();
    validate = compile(specSchemaOf(ops.map((op) => registry.get(op))) as object);
    cached.subsets.set(key, validate);
  }
  return validate;
}

/** The sorted names of the ops a spec names, when every layer's op is registered and the loss's is a registered loss. */
function opsNamed(json: unknown, registry: Registry): string[] | undefined {
  const record = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!record(json) || !Array.isArray(json.layers) || !record(json.loss)) return undefined;
  const names = new Set<string>();
  for (const layer of json.layers as unknown[]) {
    if (!record(layer) || typeof layer.op !== 'string' || !registry.has(layer.op)) return undefined;
    names.add(layer.op);
  }
  const loss = json.loss.op;
  if (typeof loss !== 'string' || !registry.has(loss) || !isLoss(registry.get(loss))) return undefined;
  names.add(loss);
  return [...names].sort();
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
  const validate = validatorFor(json, registry);
  if (!validate(json)) {
    const problems = formatSchemaErrors('', validate.errors);
    throw new GradstreamError('INVALID_SPEC', `invalid model spec:\n${problemLines(problems)}`, { problems });
  }
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
