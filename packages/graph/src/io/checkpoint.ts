import { GradstreamError, Sha256, allocate, decodeBase64, encodeBase64, formatShape, littleEndianBytes, readLittleEndian, shapesEqual, sizeOf, type DType } from '@gradstream/tensor';
import { jsonCopy, jsonDiff, type JsonValue } from './json.js';
import { buildModel, type BuildOptions } from '../model/build.js';
import type { Model, ParamRef } from '../model/model.js';
import { defaultRegistry, type Registry } from '../contract/registry.js';
import type { CompiledSchema } from '../contract/config-validator.js';
import { formatSchemaErrors, problemLines } from '../contract/schema-errors.js';
import { compileSchema } from '../contract/schema-check.js';
import { toSpec, validateSpec } from './spec-io.js';
import { SPEC_LIMITS } from '../model/spec-schema.js';
import type { ModelSpec } from '../model/spec.js';

/**
 * The `format` tag every checkpoint carries.
 *
 * @example
 * ```ts
 * import { CHECKPOINT_FORMAT } from '@gradstream/graph';
 * const isCheckpoint = (json: { format?: string }) => json.format === CHECKPOINT_FORMAT;
 * ```
 */
export const CHECKPOINT_FORMAT = 'gradstream-checkpoint';
/**
 * The checkpoint format version this library writes. It reads this one and every earlier one:
 * version 1 kept an optimizer state's slot buffers (Adam's moments, momentum's velocities) as JSON
 * number arrays; version 2 keeps them as base64 of their little-endian bytes, like the parameters,
 * under a checksum of their own (see {@link Checkpoint.optimizer}).
 *
 * @example
 * ```ts
 * import { CHECKPOINT_VERSION } from '@gradstream/graph';
 * console.log(`checkpoint format version ${CHECKPOINT_VERSION}`);
 * ```
 */
export const CHECKPOINT_VERSION = 2;

/** The versions read, oldest first. */
const READ_VERSIONS = [1, CHECKPOINT_VERSION] as const;

/**
 * One parameter in a checkpoint: its shape, element type, and its elements as base64 of their
 * little-endian bytes.
 *
 * @example
 * ```ts
 * import type { CheckpointTensor } from '@gradstream/graph';
 * const bias: CheckpointTensor = { shape: [1], dtype: 'float32', data: 'AAAAAA==' }; // [0]
 * ```
 */
export interface CheckpointTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: string;
}

/**
 * A model's spec and parameters, plus whatever training state the caller keeps, as one JSON object.
 * `checksum` is the SHA-256 (hex) of all parameter bytes in the model's parameter order, then of its
 * state's ({@link Model.state}: moving statistics) (in every version: the optimizer's buffers have a
 * checksum of their own, so a file whose optimizer state was dropped or replaced still has
 * verifiable parameters).
 *
 * @example
 * ```ts
 * import { sequential, toCheckpoint, type Checkpoint } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const ckpt: Checkpoint = toCheckpoint(sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse() }));
 * Object.keys(ckpt.params); // ['linear_1.weight', 'linear_1.bias']
 * ```
 */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  /** {@link CHECKPOINT_VERSION} when written by this library; 1 for older files, which still load. */
  readonly formatVersion: 1 | typeof CHECKPOINT_VERSION;
  readonly spec: ModelSpec;
  /** Parameters by id (`node.param`), then the model's state (`batchNorm_1.movingMean`) the same way. */
  readonly params: Readonly<Record<string, CheckpointTensor>>;
  readonly checksum: string;
  /**
   * Optimizer state (`optimizer.state()` from `@gradstream/trainer`), its buffers in binary. A state
   * holding `slots` (name → one number array per parameter) is stored with each buffer as a
   * {@link CheckpointTensor} — shaped and typed like its parameter (float64 of shape `[n]` where
   * float32 would round a value or the sizes differ: nothing is ever lost) — and `checksum`, the
   * SHA-256 of the buffers' bytes (slot names sorted, each list in parameter order; kept inside the
   * field so that the field checks on its own, as `fit`'s `resume` receives it):
   * `{ name, config, steps, slots: { m: [{ shape, dtype, data }, …], v: […] }, checksum }`.
   * {@link fromCheckpoint}, {@link loadParams} and `loadCheckpoint` give it back with number arrays,
   * as `optimizer.setState` takes it; {@link decodeOptimizerState} decodes this field alone.
   * A value without `slots` is stored as the plain JSON it is. (Version 1 kept number arrays.)
   */
  readonly optimizer?: JsonValue;
  /** State of the training run's generator (`Rng.state()`). */
  readonly rng?: readonly number[];
  readonly step?: number;
  readonly epoch?: number;
  /** Where a training run stood (data order, counters, policies' state), so that it resumes exactly (`fit`'s `resume` option). */
  readonly run?: JsonValue;
  /** Anything else the caller wants kept (run name, metrics, …). */
  readonly meta?: JsonValue;
}

/**
 * Training state stored beside the parameters. Every field is optional and must be plain JSON;
 * `undefined` leaves a field out, so the state a checkpoint was loaded with can be saved again.
 *
 * @example
 * ```ts
 * import type { CheckpointExtra } from '@gradstream/graph';
 * const extra: CheckpointExtra = { step: 1200, epoch: 3, meta: { run: 'xor' } };
 * ```
 */
export interface CheckpointExtra {
  /** Optimizer state (`optimizer.state()`); its slot buffers are stored in binary (see {@link Checkpoint.optimizer}). */
  readonly optimizer?: unknown;
  readonly rng?: readonly number[] | undefined;
  readonly step?: number | undefined;
  readonly epoch?: number | undefined;
  readonly run?: unknown;
  readonly meta?: unknown;
}

/**
 * The training state read back from a checkpoint (each field `undefined` when it was not saved).
 *
 * @example
 * ```ts
 * import type { CheckpointState } from '@gradstream/graph';
 * const resumeAt = (s: CheckpointState) => (s.step ?? 0) + 1;
 * ```
 */
export interface CheckpointState {
  /** The optimizer's state with its buffers as number arrays, as `optimizer.setState` takes it. */
  readonly optimizer: JsonValue | undefined;
  readonly rng: readonly number[] | undefined;
  readonly step: number | undefined;
  readonly epoch: number | undefined;
  readonly run: JsonValue | undefined;
  readonly meta: JsonValue | undefined;
}

/**
 * What {@link fromCheckpoint} returns: a new model holding the saved parameters, and the saved state.
 *
 * @example
 * ```ts
 * import type { LoadedCheckpoint } from '@gradstream/graph';
 * const describe = ({ model, step }: LoadedCheckpoint) => `${model.nodes.length} nodes at step ${step ?? 0}`;
 * ```
 */
export interface LoadedCheckpoint extends CheckpointState {
  readonly model: Model;
}

/**
 * The most a checkpoint may hold beyond what its model needs, checked before anything is decoded:
 * parameters and the length of their ids, and how deeply the free-form JSON (`optimizer`, `run`,
 * `meta`) nests — deeper values load, but would overflow the stack when saved again.
 *
 * @example
 * ```ts
 * import { CHECKPOINT_LIMITS } from '@gradstream/graph';
 * console.log(`at most ${CHECKPOINT_LIMITS.params} parameters`);
 * ```
 */
export const CHECKPOINT_LIMITS = Object.freeze({
  /** Entries of `params`. */
  params: 1_000_000,
  /** Characters of a parameter id (`node.param`). */
  idLength: 1024,
  /** Levels of arrays and objects in `optimizer`, `run` and `meta`. */
  depth: 100,
});

/**
 * The JSON Schema (draft-07) of a checkpoint's envelope. The embedded `spec` is only required to be an
 * object here: it is checked against the registry's {@link specSchema} when loaded. `optimizer` may
 * be any JSON: its encoded buffers (see {@link Checkpoint.optimizer}) are checked when decoded.
 *
 * @example
 * ```ts
 * import { checkpointSchema } from '@gradstream/graph';
 * JSON.stringify(checkpointSchema); // for editors and other tools
 * ```
 */
export const checkpointSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'gradstream checkpoint',
  type: 'object',
  required: ['format', 'formatVersion', 'spec', 'params', 'checksum'],
  additionalProperties: false,
  properties: {
    format: { const: CHECKPOINT_FORMAT },
    formatVersion: { enum: [...READ_VERSIONS] },
    spec: { type: 'object' },
    params: {
      type: 'object',
      maxProperties: CHECKPOINT_LIMITS.params,
      propertyNames: { maxLength: CHECKPOINT_LIMITS.idLength },
      additionalProperties: { $ref: '#/definitions/tensor' },
    },
    checksum: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    optimizer: {},
    rng: { type: 'array', minItems: 4, maxItems: 4, items: { type: 'integer' } },
    step: { type: 'integer', minimum: 0 },
    epoch: { type: 'integer', minimum: 0 },
    run: {},
    meta: {},
  },
  definitions: {
    tensor: {
      type: 'object',
      required: ['shape', 'dtype', 'data'],
      additionalProperties: false,
      properties: {
        shape: { type: 'array', maxItems: SPEC_LIMITS.rank, items: { type: 'integer', minimum: 0 } },
        dtype: { enum: ['float32', 'float64'] },
        data: { type: 'string' },
      },
    },
  },
} as const;

/** Problems listed in one error; the rest are counted. */
const MAX_PROBLEM_LINES = 20;

/** {@link checkpointSchema}, compiled on first use. */
let validateEnvelope: CompiledSchema | undefined;

/**
 * A model's parameters and spec, and the given training state, as a {@link Checkpoint} object
 * (plain JSON: `JSON.stringify` it to store it anywhere).
 *
 * @param extra - optimizer state, generator state, step, epoch, run state, meta; each must be plain JSON
 * @example
 * ```ts
 * import { sequential, toCheckpoint } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 });
 * localStorage.setItem('model', JSON.stringify(toCheckpoint(model, { step: 10 })));
 * ```
 * @see {@link fromCheckpoint}
 */
export function toCheckpoint(model: Model, extra: CheckpointExtra = {}): Checkpoint {
  const hash = new Sha256();
  const params: Record<string, CheckpointTensor> = {};
  for (const p of savedTensors(model)) {
    const bytes = littleEndianBytes(p.value.data, p.value.dtype);
    hash.update(bytes);
    params[p.id] = { shape: [...p.value.shape], dtype: p.value.dtype, data: encodeBase64(bytes) };
  }
  const state = jsonCopy(
    {
      optimizer: encodeOptimizer(model, extra.optimizer),
      rng: extra.rng === undefined ? undefined : [...extra.rng],
      step: extra.step,
      epoch: extra.epoch,
      run: extra.run,
      meta: extra.meta,
    },
    'extra',
  ) as Partial<Record<keyof CheckpointExtra, JsonValue>>;
  const checkpoint = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_VERSION,
    spec: toSpec(model),
    params,
    checksum: hash.hex(),
    ...state,
  };
  // The state is checked with the same rules as a loaded checkpoint, so what is saved can be loaded.
  return checkEnvelope(checkpoint, 'INVALID_OPTION');
}

/**
 * Parses checkpoint text (as written by `JSON.stringify(toCheckpoint(...))`) and checks its
 * envelope. Text that is not JSON is a `CHECKPOINT_INVALID` error saying at which byte it broke,
 * and whether the text looks truncated.
 *
 * @example
 * ```ts
 * import { fromCheckpoint, parseCheckpoint } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const text = await (await fetch('/model.json')).text();
 * const { model } = fromCheckpoint(parseCheckpoint(text));
 * ```
 */
export function parseCheckpoint(text: string): Checkpoint {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw notJson(text, (e as Error).message);
  }
  return validateCheckpoint(json);
}

function notJson(text: string, reason: string): GradstreamError {
  const bytes = (s: string): number => new TextEncoder().encode(s).length;
  const at = /at position (\d+)/.exec(reason);
  const position = at === null ? undefined : Number(at[1]);
  if (reason.includes('end of JSON input') || position === text.length) {
    const end = bytes(text);
    return checkpointError(`not JSON (truncated at byte ${end}?): the text ends inside a value`, { byte: end });
  }
  const clean = reason.replace(/ in JSON at position \d+/, '').replace(/, ".*" is not valid JSON$/s, '');
  if (position === undefined) return checkpointError(`not JSON: ${clean}`, {});
  const byte = bytes(text.slice(0, position));
  return checkpointError(`not JSON at byte ${byte}: ${clean}`, { byte });
}

/**
 * Checks that a value is a checkpoint envelope this version reads: the `format` tag, then
 * `formatVersion`, then every field against {@link checkpointSchema} (all problems at once,
 * each with its JSON path). Parameters and the spec are checked against a model when loaded, and
 * the optimizer's buffers when decoded.
 *
 * @returns the same value, typed
 * @example
 * ```ts
 * import { validateCheckpoint } from '@gradstream/graph';
 * validateCheckpoint({ format: 'gradstream-checkpoint', formatVersion: 3 });
 * // GradstreamError CHECKPOINT_INVALID "formatVersion: expected 1 or 2, got 3"
 * ```
 */
export function validateCheckpoint(json: unknown): Checkpoint {
  return checkEnvelope(json, 'CHECKPOINT_INVALID');
}

/** A checkpoint being loaded is invalid; one being saved means the caller passed bad state. */
function checkEnvelope(json: unknown, code: 'CHECKPOINT_INVALID' | 'INVALID_OPTION'): Checkpoint {
  const fail = (message: string, details: Record<string, unknown>): never => {
    throw new GradstreamError(code, `invalid checkpoint: ${message}`, details);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail(`(root): expected an object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`, {});
  }
  const { format, formatVersion } = json as { format?: unknown; formatVersion?: unknown };
  // Tag and version first: a document of another kind or version would fail the schema in ways that say nothing useful.
  if (format !== CHECKPOINT_FORMAT) {
    fail(`format: expected ${JSON.stringify(CHECKPOINT_FORMAT)}, got ${show(format)}`, { path: 'format' });
  }
  if (!(READ_VERSIONS as readonly unknown[]).includes(formatVersion)) {
    fail(`formatVersion: expected ${READ_VERSIONS.join(' or ')}, got ${show(formatVersion)}`, { path: 'formatVersion' });
  }
  for (const field of ['optimizer', 'run', 'meta'] as const) {
    const value = (json as Record<string, unknown>)[field];
    if (deeperThan(value, CHECKPOINT_LIMITS.depth)) fail(`${field}: nests deeper than ${CHECKPOINT_LIMITS.depth} levels of arrays and objects`, { path: field });
  }
  validateEnvelope ??= compileSchema(checkpointSchema);
  if (!validateEnvelope(json)) {
    const problems = formatSchemaErrors('', validateEnvelope.errors, { schema: checkpointSchema, data: json });
    throw new GradstreamError(code, `invalid checkpoint:\n${problemLines(problems)}`, { problems });
  }
  return json as Checkpoint;
}

/**
 * Rebuilds a model from a checkpoint: checks the envelope and the spec (against the registry's
 * ops), builds the model, decodes and checks every parameter (shape, dtype, byte count, checksum)
 * and the optimizer's buffers (see {@link Checkpoint.optimizer}), and only then copies them in. Any problem is a `CHECKPOINT_INVALID` error naming the JSON path;
 * an op the registry does not hold is named too (`spec/layers/1/op … got "swish"`, `details.ops`).
 *
 * @param options - the registry to resolve ops in (default: {@link defaultRegistry}); the seed for
 *   the nodes' own generators (dropout and the like; parameters come from the checkpoint); the backend
 * @example
 * ```ts
 * import { fromCheckpoint, sequential, toCheckpoint } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 });
 * const { model: copy, step } = fromCheckpoint(JSON.parse(JSON.stringify(toCheckpoint(model, { step: 5 }))));
 * ```
 * @see {@link toCheckpoint}
 */
export function fromCheckpoint(json: unknown, options: BuildOptions = {}): LoadedCheckpoint {
  const checkpoint = validateCheckpoint(json);
  const registry = options.registry ?? defaultRegistry;
  const model = buildFromCheckpointSpec(checkpoint, registry, options);
  const decoded = decodeParams(model, checkpoint);
  const optimizer = optimizerOf(checkpoint);
  copyParams(model, decoded);
  return { model, ...stateOf(checkpoint, optimizer) };
}

/**
 * Loads a checkpoint's parameters into an existing model whose spec matches (same ops, names,
 * wiring and configurations, as {@link toSpec} spells them). Everything — the optimizer's buffers
 * too — is decoded and checked before the first parameter is overwritten: a bad checkpoint leaves
 * the model as it was.
 *
 * @returns the saved training state (optimizer, with its buffers as number arrays; generator, step, epoch, run, meta)
 * @example
 * ```ts
 * import { loadParams, sequential, toCheckpoint } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const make = (seed: number) => sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed });
 * const trained = make(1);
 * const fresh = make(2);
 * loadParams(fresh, toCheckpoint(trained)); // fresh now predicts what trained does
 * ```
 */
export function loadParams(model: Model, json: unknown): CheckpointState {
  const checkpoint = validateCheckpoint(json);
  const reference = buildFromCheckpointSpec(checkpoint, model.registry, { registry: model.registry });
  const diffs = jsonDiff(toSpec(model), toSpec(reference), 'spec', 'the model', 'the checkpoint');
  if (diffs.length > 0) {
    throw checkpointError(`its spec does not match the model:\n${diffs.join('\n')}`, { diffs });
  }
  const decoded = decodeParams(model, checkpoint);
  const optimizer = optimizerOf(checkpoint);
  copyParams(model, decoded);
  return stateOf(checkpoint, optimizer);
}

function buildFromCheckpointSpec(checkpoint: Checkpoint, registry: Registry, options: BuildOptions): Model {
  try {
    return buildModel(validateSpec(checkpoint.spec, registry), { ...options, registry });
  } catch (e) {
    if (!(e instanceof GradstreamError)) throw e;
    // A model too large for this machine is no damage to the file: the limit's error, as building it would give.
    if (e.code === 'TOO_LARGE') throw e;
    // Re-rooted under `spec/` so the paths point into the checkpoint document.
    const problems = e.details.problems as readonly { path: string; message: string }[] | undefined;
    const message =
      problems === undefined
        ? `spec: ${e.message}`
        : `its spec is invalid:\n${problemLines(problems.map((p) => ({ path: p.path === '' ? 'spec' : `spec/${p.path}`, message: p.message })))}`;
    // An op missing from the registry is not damage to the file, so the message says the registry is
    // short; the code stays CHECKPOINT_INVALID, the one callers branch on for "this checkpoint does not
    // load here", with `cause: 'UNKNOWN_OP'` and the names in `ops` for those who tell the two apart.
    // (A registered op in the wrong place, such as relu as the loss, is damage.)
    const valueAt = (path: string): unknown => path.split('/').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], checkpoint.spec);
    const missing = (problems ?? [])
      .filter((p) => p.path.endsWith('/op') && p.message.startsWith('must be one of') && !registry.has(String(valueAt(p.path))))
      .map((p) => String(valueAt(p.path)));
    if (e.code === 'UNKNOWN_OP' && typeof e.details.op === 'string') missing.push(e.details.op);
    if (missing.length > 0 || e.code === 'UNKNOWN_OP') {
      throw checkpointError(message.replace(/^its spec is invalid:/, 'its spec names ops this registry does not hold:'), {
        cause: 'UNKNOWN_OP',
        ops: [...new Set(missing)],
        ...(problems ? { problems } : {}),
      });
    }
    throw checkpointError(message, { cause: e.code });
  }
}

/** Decodes every parameter into a fresh buffer and checks it against the model; nothing is copied yet. */
function decodeParams(model: Model, checkpoint: Checkpoint): Map<string, Uint8Array> {
  const problems: string[] = [];
  const decoded = new Map<string, Uint8Array>();
  const saved = savedTensors(model);
  const expected = new Set(saved.map((p) => p.id));
  const unknown = Object.keys(checkpoint.params).filter((id) => !expected.has(id));
  // The model's ids once, not once per unknown key: a file may hold a million of them.
  if (unknown.length > 0) problems.push(`params: ${unknown.length === 1 ? 'a key that is' : `${unknown.length} keys that are`} not parameters of this model (it has ${[...expected].join(', ')})`);
  for (const id of unknown) problems.push(`params/${id}: not a parameter of this model`);
  for (const p of saved) {
    const path = `params/${p.id}`;
    const stored = checkpoint.params[p.id];
    if (stored === undefined) {
      problems.push(`${path}: missing (the model has ${p.value.dtype} ${formatShape(p.value.shape)})`);
      continue;
    }
    const before = problems.length;
    if (!shapesEqual(stored.shape, p.value.shape)) {
      problems.push(`${path}: expected shape ${formatShape(p.value.shape)}, got ${formatShape(stored.shape)}`);
    }
    if (stored.dtype !== p.value.dtype) problems.push(`${path}/dtype: expected "${p.value.dtype}", got "${stored.dtype}"`);
    if (problems.length > before) continue;
    const want = p.value.size * p.value.data.BYTES_PER_ELEMENT;
    // The text's length tells the byte count: a wrong one is refused before anything is decoded.
    const text = stored.data;
    if (text.length % 4 === 0) {
      const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
      const got = (text.length / 4) * 3 - padding;
      if (got !== want) {
        problems.push(`${path}/data: expected ${want} bytes (${sizeOf(p.value.shape)} ${p.value.dtype}), got ${got}`);
        continue;
      }
    }
    const bytes = base64Bytes(text, `${path}/data`, problems);
    if (bytes === undefined) continue;
    if (bytes.length !== want) {
      problems.push(`${path}/data: expected ${want} bytes (${sizeOf(p.value.shape)} ${p.value.dtype}), got ${bytes.length}`);
      continue;
    }
    decoded.set(p.id, bytes);
  }
  if (problems.length > 0) throw checkpointError(`its parameters do not fit the model:\n${listed(problems)}`, { problems: problems.slice(0, 1000) });
  const hash = new Sha256();
  for (const p of saved) hash.update(decoded.get(p.id) as Uint8Array);
  const actual = hash.hex();
  if (actual !== checkpoint.checksum) {
    throw checkpointError(`checksum mismatch: parameter bytes were altered (stored ${checkpoint.checksum}, computed ${actual})`, {
      path: 'checksum',
    });
  }
  return decoded;
}

function base64Bytes(text: string, path: string, problems: string[]): Uint8Array | undefined {
  try {
    return decodeBase64(text);
  } catch (e) {
    problems.push(`${path}: not base64 (${(e as Error).message})`);
    return undefined;
  }
}

function copyParams(model: Model, decoded: ReadonlyMap<string, Uint8Array>): void {
  const saved = savedTensors(model);
  for (const p of saved) readLittleEndian(decoded.get(p.id) as Uint8Array, p.value.data);
  model.backend.sync?.upload(saved.map((p) => p.value.data));
}

/**
 * What a checkpoint keeps of a model: its parameters, then its state (moving statistics), which
 * is not trained but is needed to predict as the model did.
 */
function savedTensors(model: Model): readonly ParamRef[] {
  const state = model.state();
  return state.length === 0 ? model.parameters() : [...model.parameters(), ...state];
}

/**
 * A checkpoint's optimizer state as `optimizer.setState` takes it. A state as this version writes
 * it (slot buffers in base64 under their `checksum`, see {@link Checkpoint.optimizer}) is checked —
 * each entry's shape and type, its base64 and byte count, then the checksum — and comes back with
 * number arrays; a state whose slots are number arrays already (a version-1 file, or a state
 * decoded before) and free-form JSON come back as they are. A problem is a `CHECKPOINT_INVALID`
 * error naming the JSON path under `path` (`optimizer/slots/m/0/data: not base64 (…)`).
 * {@link fromCheckpoint}, {@link loadParams} and `loadCheckpoint` decode it already: this is for a
 * checkpoint's `optimizer` field taken on its own, such as a `checkpoint` event's.
 *
 * @param value - a checkpoint's `optimizer` field
 * @param path - where the value sits, for messages (default `optimizer`)
 * @example
 * ```ts
 * import { decodeOptimizerState, sequential, toCheckpoint } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 });
 * const saved = toCheckpoint(model, { optimizer: { name: 'momentum', config: { lr: 0.1 }, steps: 1, slots: { velocity: [[0.5, 0.25], [1]] } } });
 * decodeOptimizerState(saved.optimizer); // { name: 'momentum', …, slots: { velocity: [[0.5, 0.25], [1]] } }
 * ```
 */
export function decodeOptimizerState(value: JsonValue | undefined, path = 'optimizer'): JsonValue | undefined {
  return decodeOptimizer(value, path, 'CHECKPOINT_INVALID', false);
}

/** The checkpoint's optimizer state, decoded; in a version-2 file, a state with slots must be the encoded form. */
function optimizerOf(c: Checkpoint): JsonValue | undefined {
  if (c.formatVersion === 1) return c.optimizer;
  return decodeOptimizer(c.optimizer, 'optimizer', 'CHECKPOINT_INVALID', true);
}

type Json = { readonly [key: string]: JsonValue };

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/**
 * True for a plain object holding an optimizer's slot buffers, as numbers or encoded: the one kind
 * of `optimizer` value stored in binary. (Other objects are left to the JSON check, which refuses
 * class instances.)
 */
function hasSlots(v: unknown): v is Json {
  if (!isRecord(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && (Object.hasOwn(v, 'slots') || Object.hasOwn(v, 'checksum'));
}

/** What a value is, for messages (never the value itself: it may be a long array). */
function kind(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return typeof v === 'object' ? 'an object' : typeof v === 'string' ? 'a string' : `${typeof v} ${String(v)}`;
}

/**
 * An optimizer state with slot buffers as number arrays, its buffers encoded: each a
 * {@link CheckpointTensor} shaped and typed like the parameter at its index, and `checksum` over
 * their bytes. A buffer that is not its parameter's size, or holds a value its parameter's float32
 * would round, is kept as float64 of shape `[n]`: the format never loses a value. An encoded state
 * (a checkpoint's own field, told by its `checksum`) is checked and decoded first, so a state can
 * hold no `checksum` of its own; a value without slots is returned as it is.
 */
function encodeOptimizer(model: Model, value: unknown, path = 'extra/optimizer'): unknown {
  if (!hasSlots(value)) return value;
  const plain = decodeOptimizer(value, path, 'INVALID_OPTION', false) as Json;
  const fail = (at: string, message: string): never => {
    throw new GradstreamError('INVALID_OPTION', `${at}: ${message}`, { path: at });
  };
  const slots = plain.slots;
  if (!isRecord(slots)) return fail(`${path}/slots`, `expected an object of slot buffers (name → one number array per parameter), got ${kind(slots)}`);
  const params = model.parameters();
  const hash = new Sha256();
  const encoded = Object.keys(slots)
    .sort()
    .map((name): [string, CheckpointTensor[]] => {
      const list: unknown = slots[name];
      const at = `${path}/slots/${name}`;
      if (!Array.isArray(list)) return fail(at, `expected a list of number arrays (one per parameter), got ${kind(list)}`);
      const tensors = list.map((values: unknown, i): CheckpointTensor => {
        if (!Array.isArray(values)) return fail(`${at}/${i}`, `expected an array of numbers, got ${kind(values)}`);
        let exact32 = true;
        for (let j = 0; j < values.length; j++) {
          const v: unknown = values[j];
          if (typeof v !== 'number' || !Number.isFinite(v)) return fail(`${at}/${i}/${j}`, `expected a finite number, got ${kind(v)}`);
          if (exact32 && Math.fround(v) !== v) exact32 = false;
        }
        const like = params[i]?.value;
        const fits = like !== undefined && like.size === values.length;
        const dtype: DType = fits && (like.dtype === 'float64' || exact32) ? like.dtype : 'float64';
        const bytes = littleEndianBytes(values as number[], dtype);
        hash.update(bytes);
        return { shape: fits ? [...like.shape] : [values.length], dtype, data: encodeBase64(bytes) };
      });
      return [name, tensors];
    });
  // Built from entries, not assigned: a slot or key named "__proto__" stays an own key.
  return { ...plain, slots: Object.fromEntries(encoded), checksum: hash.hex() };
}

/**
 * The inverse of {@link encodeOptimizer}: an encoded state (one with a `checksum`) checked in full,
 * all problems at once, before the checksum, and returned with its slots as number arrays and its
 * checksum dropped. Other values come back as they are, unless `encodedOnly` (a version-2 file,
 * whose writer encodes every state with slots) makes a state with plain slots a problem too.
 */
function decodeOptimizer(value: JsonValue | undefined, path: string, code: 'CHECKPOINT_INVALID' | 'INVALID_OPTION', encodedOnly: boolean): JsonValue | undefined {
  if (!hasSlots(value) || (!encodedOnly && !Object.hasOwn(value, 'checksum'))) return value;
  const problems: string[] = [];
  const { checksum, slots, ...rest } = value;
  if (typeof checksum !== 'string' || !/^[0-9a-f]{64}$/.test(checksum)) {
    problems.push(`${path}/checksum: expected the SHA-256 of the slot buffers (64 hex digits), got ${kind(checksum)}`);
  }
  const names = isRecord(slots) ? Object.keys(slots).sort() : [];
  if (!isRecord(slots)) problems.push(`${path}/slots: expected an object of slot buffer lists, got ${kind(slots)}`);
  const decoded: [string, Uint8Array[], DType[]][] = [];
  for (const name of names) {
    const list = (slots as Json)[name];
    const at = `${path}/slots/${name}`;
    if (!Array.isArray(list)) {
      problems.push(`${at}: expected a list of tensors { shape, dtype, data }, got ${kind(list)}`);
      continue;
    }
    const bytes: Uint8Array[] = [];
    const dtypes: DType[] = [];
    list.forEach((entry: JsonValue, i) => {
      const b = decodeSlotEntry(entry, `${at}/${i}`, problems);
      if (b === undefined) return;
      bytes.push(b.bytes);
      dtypes.push(b.dtype);
    });
    decoded.push([name, bytes, dtypes]);
  }
  if (problems.length > 0) {
    throw new GradstreamError(code, `invalid checkpoint: its optimizer state does not decode:\n${listed(problems)}`, { problems: problems.slice(0, 1000), path: problems[0]?.split(': ')[0] });
  }
  const hash = new Sha256();
  for (const [, bytes] of decoded) for (const b of bytes) hash.update(b);
  const actual = hash.hex();
  if (actual !== checksum) {
    throw new GradstreamError(code, `invalid checkpoint: ${path}/checksum mismatch: optimizer slot bytes were altered (stored ${checksum as string}, computed ${actual})`, {
      path: `${path}/checksum`,
    });
  }
  const numbers = decoded.map(([name, bytes, dtypes]): [string, number[][]] => [name, bytes.map((b, i) => numbersOf(b, dtypes[i] as DType))]);
  return { ...rest, slots: Object.fromEntries(numbers) };
}

/** One encoded slot buffer's bytes and type, after checking its fields, base64 and byte count; problems go to the list. */
function decodeSlotEntry(entry: JsonValue, at: string, problems: string[]): { bytes: Uint8Array; dtype: DType } | undefined {
  if (!isRecord(entry)) {
    problems.push(`${at}: expected a tensor { shape, dtype, data }, got ${kind(entry)}`);
    return undefined;
  }
  const { shape, dtype, data } = entry;
  const before = problems.length;
  const extra = Object.keys(entry).filter((k) => k !== 'shape' && k !== 'dtype' && k !== 'data');
  if (extra.length > 0) problems.push(`${at}: unknown field(s) ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
  const goodShape =
    Array.isArray(shape) && shape.length <= SPEC_LIMITS.rank && shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0);
  if (!goodShape) problems.push(`${at}/shape: expected at most ${SPEC_LIMITS.rank} sizes (integers ≥ 0), got ${kind(shape)}`);
  if (dtype !== 'float32' && dtype !== 'float64') problems.push(`${at}/dtype: expected "float32" or "float64", got ${typeof dtype === 'string' && dtype.length <= 40 ? JSON.stringify(dtype) : kind(dtype)}`);
  if (typeof data !== 'string') problems.push(`${at}/data: expected base64 text, got ${kind(data)}`);
  if (problems.length > before) return undefined;
  const width = dtype === 'float32' ? 4 : 8;
  const size = (shape as number[]).reduce((n, d) => n * d, 1);
  const want = size * width;
  const text = data as string;
  // As for parameters: the text's length tells the byte count, so a wrong one is refused before decoding.
  if (text.length % 4 === 0) {
    const got = (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
    if (got !== want) {
      problems.push(`${at}/data: expected ${want} bytes (${size} ${dtype as DType}), got ${got}`);
      return undefined;
    }
  }
  const bytes = base64Bytes(text, `${at}/data`, problems);
  if (bytes === undefined) return undefined;
  if (bytes.length !== want) {
    problems.push(`${at}/data: expected ${want} bytes (${size} ${dtype as DType}), got ${bytes.length}`);
    return undefined;
  }
  return { bytes, dtype: dtype as DType };
}

function stateOf(c: Checkpoint, optimizer: JsonValue | undefined): CheckpointState {
  return { optimizer, rng: c.rng, step: c.step, epoch: c.epoch, run: c.run, meta: c.meta };
}


/** True when a JSON value nests more than `limit` levels (walked without recursion: the value may be deep). */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The problems as lines, at most {@link MAX_PROBLEM_LINES} of them, then how many more there are. */
function listed(problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_PROBLEM_LINES);
  const more = problems.length - shown.length;
  return [...shown, ...(more > 0 ? [`… and ${more} more`] : [])].join('\n');
}

function checkpointError(message: string, details: Record<string, unknown>): GradstreamError {
  return new GradstreamError('CHECKPOINT_INVALID', `invalid checkpoint: ${message}`, details);
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

/** A slot buffer's values as plain numbers, as optimizers take their state. */
function numbersOf(bytes: Uint8Array, dtype: DType): number[] {
  const out = allocate(dtype, bytes.length / (dtype === 'float32' ? 4 : 8));
  readLittleEndian(bytes, out);
  return Array.from(out);
}
