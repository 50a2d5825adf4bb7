/*
 * A spec or a checkpoint is data: loading one never runs code from it, and no string from it ever
 * becomes part of generated code. Generated code is what the Function constructor compiles (plans'
 * passes, optimizer updates, ajv's validators), so the constructor is wrapped to record every
 * source it receives while specs and checkpoints whose every string carries a marker are loaded
 * (as objects, as text, from files, through the command line), trained, resumed and used to
 * predict. Each marker sits in a string that tries to break out of a comment, a string literal or
 * a template and set a global canary.
 *
 * Which strings a spec or checkpoint holds is read off their schemas: a new string field fails the
 * coverage test until this file says how it is covered (a marker it carries, or the fixed set or
 * format it is refused outside of).
 *
 * Node names are the one text that reaches generated code, on purpose: a node's function is named
 * after it (`node_<name>_forward`, so stack traces name the node) and a comment names it, the
 * former reduced to identifier characters, the latter to printable ASCII. The checks allow a name's
 * marker there and nowhere else.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject, filter, lastValueFrom, map, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '@gradstream/ops';
import { runCli } from '@gradstream/cli';
import {
  buildModel,
  checkpointSchema,
  defaultRegistry,
  fromCheckpoint,
  fromSpec,
  parseCheckpoint,
  specSchema,
  toCheckpoint,
  validateSpec,
  type Checkpoint,
  type LayerSpec,
  type Model,
  type ModelSpec,
} from '@gradstream/graph';
import { loadCheckpoint, writeCheckpointFile } from '@gradstream/graph/node';
import { GradstreamError, tsBackend } from '@gradstream/tensor';
import { adam, definePolicy, fit, runStateSchema, type PolicyContext, type TrainCommand, type TrainEvent } from '@gradstream/trainer';

// ---------------------------------------------------------------------------------------------
// Recording what reaches code generation.

type Eval = (code: string) => unknown;
const globals = globalThis as unknown as { Function: FunctionConstructor; eval: Eval; gradstreamCanary?: unknown };
const realFunction = globals.Function;
const realEval = globals.eval;
/** Every source given to the Function constructor since the current test began. */
let sources: string[] = [];
/** Every call of eval since the current test began. */
let evals: unknown[] = [];
const recordingFunction = new Proxy(realFunction, {
  construct(target, args: unknown[]) {
    sources.push(args.map(String).join('\n'));
    return Reflect.construct(target, args) as object;
  },
  apply(target, self, args: unknown[]) {
    sources.push(args.map(String).join('\n'));
    return Reflect.apply(target, self, args) as unknown;
  },
});

beforeAll(() => {
  globals.Function = recordingFunction;
  globals.eval = (code: string) => {
    evals.push(code);
    return realEval(code);
  };
});
afterAll(() => {
  globals.Function = realFunction;
  globals.eval = realEval;
});
beforeEach(() => {
  sources = [];
  evals = [];
  delete globals.gradstreamCanary;
});
afterEach(() => {
  delete globals.gradstreamCanary;
});

// ---------------------------------------------------------------------------------------------
// Markers.

/** Endings that try to leave a comment, a string or a template of generated code and set the canary. */
const TAILS = [
  " */ globalThis['gradstreamCanary'] = 1; /*",
  "\nglobalThis['gradstreamCanary'] = 2; //",
  "\r\nglobalThis['gradstreamCanary'] = 3; //",
  "\u2028globalThis['gradstreamCanary'] = 4; //",
  "\u2029globalThis['gradstreamCanary'] = 5; //",
  "`; globalThis['gradstreamCanary'] = 6; `",
  "${globalThis['gradstreamCanary'] = 7}",
  "\"); globalThis['gradstreamCanary'] = 8; (\"",
  "'); globalThis['gradstreamCanary'] = 9; ('",
  "</script><script>globalThis['gradstreamCanary'] = 10</script>",
  "\\'); globalThis['gradstreamCanary'] = 11; //",
] as const;

interface Planted {
  /** Unique, made of identifier characters: it survives a name's reduction to an identifier. */
  readonly token: string;
  /** The string as planted: the token and a tail. */
  readonly text: string;
  /** A node name (allowed, reduced, in generated identifiers and comments). */
  readonly name: boolean;
  /** The schema sites where this string stands. */
  readonly sites: Set<string>;
}

const planted: Planted[] = [];

/** A fresh marked string standing at `site`. */
function mark(site: string, name = false): string {
  const token = `gsmk${planted.length}z`;
  const text = `${token}${TAILS[planted.length % TAILS.length]}`;
  planted.push({ token, text, name, sites: new Set([site]) });
  return text;
}

/** A marked string already planted, standing at another site too (a name read as an input). */
function also(text: string, site: string): string {
  const p = planted.find((q) => q.text === text);
  if (p === undefined) throw new Error(`not planted: ${JSON.stringify(text)}`);
  p.sites.add(site);
  return text;
}

/** Any JSON whose keys and strings are all marked, with "__proto__" and "constructor" as own keys. */
function markedJson(site: string): unknown {
  const s = (): string => JSON.stringify(mark(site));
  return JSON.parse(`{ ${s()}: ${s()}, "__proto__": { ${s()}: [${s()}, 1, null, true] }, "constructor": ${s()}, "list": [{ ${s()}: ${s()} }] }`);
}

/**
 * No planted string reaches a source, nor any marker outside a node name's two reduced forms;
 * plans' and optimizers' generated code holds no string literal at all; nothing planted ran; eval
 * was not called.
 */
function expectInert(captured: readonly string[]): void {
  expect(globals.gradstreamCanary).toBeUndefined();
  expect(evals).toEqual([]);
  for (const source of captured) {
    // A comment line of printable ASCII, and the identifiers of node functions: where a name may show.
    const outsideNames = source.replace(/^\/\/ [\x20-\x7e]*$/gm, '').replace(/\bnode_[A-Za-z0-9_$]*/g, '');
    // What a marked string tries to run, left anywhere but there (a name's tail after a line break in its comment).
    expect(outsideNames.includes('gradstreamCanary'), `planted code in generated code:\n${source}`).toBe(false);
    for (const p of planted) {
      const where = p.name ? outsideNames : source;
      expect(where.includes(p.text), `the string planted at ${[...p.sites].join(', ')} is in generated code:\n${source}`).toBe(false);
      expect(where.includes(p.token), `marker ${p.token} (${[...p.sites].join(', ')}) is in generated code:\n${source}`).toBe(false);
    }
    if (source.includes('//# sourceURL=gradstream-')) {
      expect(source.replace(/^\/\/.*$/gm, ''), 'a string literal in a generated pass or update').not.toMatch(/["'`]/);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The strings a spec and a checkpoint hold, read off their schemas.

type Kind = 'text' | 'pattern' | 'fixed' | 'keys' | 'any';
type Schema = Readonly<Record<string, unknown>>;

/**
 * Every place a string can stand in documents of `root`, as `prefix.field`, `[]` for array items,
 * `{}` for free object keys (and their values); a discriminated union's branches share a site for
 * a field they all declare alike and have `(branch)` sites for the rest.
 */
function stringSites(root: Schema, prefix: string): Map<string, Kind> {
  const definitions = (root.definitions ?? {}) as Readonly<Record<string, Schema>>;
  const resolve = (s: Schema): Schema => (typeof s.$ref === 'string' ? resolve(definitions[s.$ref.replace('#/definitions/', '')] as Schema) : s);
  const walk = (raw: Schema | boolean, site: string, out: Map<string, Set<Kind>>): void => {
    const add = (at: string, kind: Kind): void => void out.set(at, (out.get(at) ?? new Set()).add(kind));
    if (raw === true) return add(site, 'any');
    if (raw === false) return;
    const s = resolve(raw);
    if (Array.isArray(s.oneOf)) {
      const branches = (s.oneOf as Schema[]).map(resolve);
      const tag = (s.discriminator as { propertyName?: string } | undefined)?.propertyName;
      if (tag === undefined) {
        for (const b of branches) walk(b, site, out);
        return;
      }
      add(`${site}.${tag}`, 'fixed');
      const per = branches.map((b) => {
        const { [tag]: _tag, ...rest } = (b.properties ?? {}) as Record<string, Schema>;
        const m = new Map<string, Set<Kind>>();
        walk({ ...b, properties: rest }, '', m);
        return { title: String(b.title), m };
      });
      const same = (a: Set<Kind> | undefined, b: Set<Kind> | undefined): boolean => a !== undefined && b !== undefined && [...a].sort().join() === [...b].sort().join();
      for (const field of new Set(per.flatMap((p) => [...p.m.keys()]))) {
        const shared = per.every((p) => same(p.m.get(field), per[0]?.m.get(field)));
        for (const p of per) for (const kind of p.m.get(field) ?? []) add(shared ? `${site}${field}` : `${site}(${p.title})${field}`, kind);
      }
      return;
    }
    const keywords = ['type', 'enum', 'const', 'properties', 'items', 'additionalProperties', 'pattern'].filter((k) => k in s);
    if (keywords.length === 0) return add(site, 'any');
    if (typeof s.const === 'string' || (Array.isArray(s.enum) && s.enum.some((v) => typeof v === 'string'))) add(site, 'fixed');
    else if (s.type === 'string') add(site, s.pattern === undefined ? 'text' : 'pattern');
    for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) walk(v, `${site}.${k}`, out);
    if (s.items !== undefined) walk(s.items as Schema, `${site}[]`, out);
    else if (s.type === 'array') add(`${site}[]`, 'any');
    if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
      add(`${site}{}`, 'keys');
      walk(s.additionalProperties as Schema | boolean, `${site}{}`, out);
    } else if (s.type === 'object' && s.properties === undefined) add(site, 'any');
  };
  const out = new Map<string, Set<Kind>>();
  walk(root, prefix, out);
  return new Map([...out].map(([site, kinds]) => [site, kinds.size === 1 ? [...kinds][0] as Kind : (kinds.has('text') ? 'text' : [...kinds][0] as Kind)]));
}

/**
 * How each site is covered: `marker` — the fixtures plant marked strings there and they load and
 * train; `refused` — only a fixed set or format is accepted, and a marked string there is refused
 * before any code is generated; `spec` — the embedded spec, whose sites are the `spec.` ones.
 */
const COVERAGE: Readonly<Record<string, readonly [Kind, 'marker' | 'refused' | 'spec']>> = {
  'spec.output': ['text', 'marker'],
  'spec.dtype': ['fixed', 'refused'],
  'spec.layers[].op': ['fixed', 'refused'],
  'spec.layers[].name': ['text', 'marker'],
  'spec.layers[].inputs[]': ['text', 'marker'],
  'spec.layers[](dense).activation': ['fixed', 'refused'],
  'spec.layers[](dense).weightInit.type': ['fixed', 'refused'],
  'spec.layers[](dense).biasInit.type': ['fixed', 'refused'],
  'spec.layers[](linear).weightInit.type': ['fixed', 'refused'],
  'spec.layers[](linear).biasInit.type': ['fixed', 'refused'],
  'spec.layers[](conv2d).activation': ['fixed', 'refused'],
  'spec.layers[](conv2d).padding': ['fixed', 'refused'],
  'spec.layers[](conv2d).weightInit.type': ['fixed', 'refused'],
  'spec.layers[](conv2d).biasInit.type': ['fixed', 'refused'],
  'spec.layers[](maxPool2d).padding': ['fixed', 'refused'],
  'spec.layers[](avgPool2d).padding': ['fixed', 'refused'],
  'spec.layers[](embedding).weightInit.type': ['fixed', 'refused'],
  'spec.layers[](positionEmbedding).init.type': ['fixed', 'refused'],
  'spec.layers[](multiHeadAttention).weightInit.type': ['fixed', 'refused'],
  'spec.layers[](multiHeadAttention).biasInit.type': ['fixed', 'refused'],
  'spec.layers[](gru).weightInit.type': ['fixed', 'refused'],
  'spec.layers[](gru).recurrentInit.type': ['fixed', 'refused'],
  'spec.layers[](gru).biasInit.type': ['fixed', 'refused'],
  'spec.layers[](lstm).weightInit.type': ['fixed', 'refused'],
  'spec.layers[](lstm).recurrentInit.type': ['fixed', 'refused'],
  'spec.layers[](lstm).biasInit.type': ['fixed', 'refused'],
  'spec.layers[](lstm).forgetBiasInit.type': ['fixed', 'refused'],
  'spec.loss.op': ['fixed', 'refused'],
  'spec.loss.name': ['text', 'marker'],
  'spec.loss.inputs[]': ['text', 'marker'],
  'checkpoint.format': ['fixed', 'refused'],
  'checkpoint.spec': ['any', 'spec'],
  'checkpoint.params{}': ['keys', 'marker'],
  'checkpoint.params{}.dtype': ['fixed', 'refused'],
  'checkpoint.params{}.data': ['text', 'refused'],
  'checkpoint.checksum': ['pattern', 'refused'],
  'checkpoint.optimizer': ['any', 'marker'],
  'checkpoint.run': ['any', 'marker'],
  'checkpoint.meta': ['any', 'marker'],
  'run.policies[]': ['any', 'marker'],
  'run.generators{}': ['keys', 'marker'],
};

/** Puts `text` at a refused site of a copy of the fixtures; the loader must refuse it with `code`. */
const REFUSALS: Readonly<Record<string, { readonly code: string; readonly plant: (doc: { spec: MutableSpec; checkpoint: Record<string, unknown> }, text: string) => void }>> = {
  'spec.dtype': { code: 'INVALID_SPEC', plant: (d, t) => void (d.spec.dtype = t) },
  'spec.layers[].op': { code: 'INVALID_SPEC', plant: (d, t) => void ((d.spec.layers[3] as MutableLayer).op = t) },
  'spec.layers[](dense).activation': { code: 'INVALID_SPEC', plant: (d, t) => void ((d.spec.layers[1] as MutableLayer).activation = t) },
  'spec.layers[](dense).weightInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void ((d.spec.layers[1] as MutableLayer).weightInit = { type: t }) },
  'spec.layers[](dense).biasInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void ((d.spec.layers[1] as MutableLayer).biasInit = { type: t, value: 1 }) },
  'spec.layers[](linear).weightInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void ((d.spec.layers[0] as MutableLayer).weightInit = { type: t, min: 0 }) },
  'spec.layers[](linear).biasInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void ((d.spec.layers[0] as MutableLayer).biasInit = { type: t }) },
  'spec.layers[](conv2d).activation': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'conv2d').activation = t) },
  'spec.layers[](conv2d).padding': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'conv2d').padding = t) },
  'spec.layers[](conv2d).weightInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'conv2d').weightInit = { type: t }) },
  'spec.layers[](conv2d).biasInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'conv2d').biasInit = { type: t, value: 1 }) },
  'spec.layers[](maxPool2d).padding': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'maxPool2d').padding = t) },
  'spec.layers[](avgPool2d).padding': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'avgPool2d').padding = t) },
  'spec.layers[](embedding).weightInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'embedding').weightInit = { type: t, min: 0 }) },
  'spec.layers[](positionEmbedding).init.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'positionEmbedding').init = { type: t, std: 0.1 }) },
  'spec.layers[](multiHeadAttention).weightInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'multiHeadAttention').weightInit = { type: t }) },
  'spec.layers[](multiHeadAttention).biasInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'multiHeadAttention').biasInit = { type: t }) },
  'spec.layers[](gru).weightInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'gru').weightInit = { type: t }) },
  'spec.layers[](gru).recurrentInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'gru').recurrentInit = { type: t }) },
  'spec.layers[](gru).biasInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'gru').biasInit = { type: t, value: 1 }) },
  'spec.layers[](lstm).weightInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'lstm').weightInit = { type: t }) },
  'spec.layers[](lstm).recurrentInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'lstm').recurrentInit = { type: t, min: 0 }) },
  'spec.layers[](lstm).biasInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'lstm').biasInit = { type: t }) },
  'spec.layers[](lstm).forgetBiasInit.type': { code: 'INVALID_SPEC', plant: (d, t) => void (layerOf(d.spec, 'lstm').forgetBiasInit = { type: t }) },
  'spec.loss.op': { code: 'INVALID_SPEC', plant: (d, t) => void (d.spec.loss.op = t) },
  'checkpoint.format': { code: 'CHECKPOINT_INVALID', plant: (d, t) => void (d.checkpoint.format = t) },
  'checkpoint.params{}.dtype': { code: 'CHECKPOINT_INVALID', plant: (d, t) => void (firstParam(d.checkpoint).dtype = t) },
  'checkpoint.params{}.data': { code: 'CHECKPOINT_INVALID', plant: (d, t) => void (firstParam(d.checkpoint).data = t) },
  'checkpoint.checksum': { code: 'CHECKPOINT_INVALID', plant: (d, t) => void (d.checkpoint.checksum = t) },
};

type MutableLayer = { -readonly [K in keyof LayerSpec]: LayerSpec[K] } & Record<string, unknown>;
type MutableSpec = { layers: MutableLayer[]; loss: MutableLayer; dtype?: string } & Record<string, unknown>;
/** The fixture's (first) layer of `op`: found by op, so that the refusals do not hang on the layers' order. */
function layerOf(spec: MutableSpec, op: string): MutableLayer {
  const layer = spec.layers.find((l) => l.op === op);
  if (layer === undefined) throw new Error(`the marked spec has no ${op} layer`);
  return layer;
}
const firstParam = (c: Record<string, unknown>): Record<string, unknown> => Object.values(c.params as Record<string, Record<string, unknown>>)[0] as Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Fixtures.

/**
 * A spec using every registered op but the losses as a layer, with a marked name, marked inputs
 * and a marked output and loss; three nodes are named "__proto__", "constructor" and "toString".
 *
 * Besides the chain of row ops, two branches reach the other ops from the input `[2]`: dense's four
 * features reshaped into a 2×2 one-channel image (convolved, normalized, pooled, and back to rows
 * through `flatten` and `globalAvgPool`), and the input itself read as two token ids (embedded,
 * attended over, normalized and run through both recurrent layers). Every init, padding and
 * activation is given rather than left to its default, so the fixed strings the loader accepts
 * come from the spec, as a stranger's would. Sizes are the smallest each op takes, so that it
 * still trains in milliseconds.
 */
function markedSpec(): ModelSpec {
  const n = Array.from({ length: 26 }, () => mark('spec.layers[].name', true));
  const from = (text: string): string => also(text, 'spec.layers[].inputs[]');
  const name = (i: number): string => n[i] as string;
  const layers: LayerSpec[] = [
    { op: 'linear', name: name(0), inputs: ['x'], inFeatures: 2, outFeatures: 4 },
    { op: 'dense', name: name(1), inputs: [from(name(0))], inFeatures: 4, outFeatures: 4, activation: 'tanh', weightInit: { type: 'heNormal' }, biasInit: { type: 'constant', value: 0.1 } },
    { op: 'dropout', name: name(2), inputs: [from(name(1))], rate: 0.25 },
    { op: 'identity', name: name(3), inputs: [from(name(2))] },
    { op: 'leakyRelu', name: name(4), inputs: [from(name(3))], alpha: 0.1 },
    { op: 'relu', name: name(5), inputs: [from(name(4))] },
    { op: 'sigmoid', name: '__proto__', inputs: [from(name(5))] },
    { op: 'tanh', name: 'constructor', inputs: ['__proto__'] },
    // Images: [batch, 2, 2, 1] → conv [.., 2, 2, 2] → max pool 'same' [.., 2, 2, 2] → average pool 'valid' [.., 1, 1, 2].
    { op: 'reshape', name: name(9), inputs: [from(name(1))], shape: [2, 2, 1] },
    { op: 'conv2d', name: name(10), inputs: [from(name(9))], filters: 2, kernelSize: 2, strides: 1, padding: 'same', activation: 'gelu', weightInit: { type: 'glorotNormal' }, biasInit: { type: 'constant', value: 0.1 } },
    { op: 'batchNorm', name: name(11), inputs: [from(name(10))], momentum: 0.9 },
    { op: 'maxPool2d', name: name(12), inputs: [from(name(11))], poolSize: 2, strides: 1, padding: 'same' },
    { op: 'avgPool2d', name: name(13), inputs: [from(name(12))], poolSize: 2, padding: 'valid' },
    { op: 'flatten', name: name(14), inputs: [from(name(13))] },
    { op: 'globalAvgPool', name: name(15), inputs: [from(name(11))] },
    { op: 'concat', name: name(16), inputs: [from(name(14)), from(name(15))], axis: -1 },
    { op: 'gelu', name: name(17), inputs: [from(name(16))] },
    // Sequences: the input's two values as token ids (see X), [batch, 2] → [batch, 2, 2] → the LSTM's last state [batch, 4].
    { op: 'embedding', name: name(18), inputs: ['x'], vocabSize: 2, dim: 2, weightInit: { type: 'uniform', min: -0.5, max: 0.5 } },
    { op: 'positionEmbedding', name: name(19), inputs: [from(name(18))], maxLength: 2, init: { type: 'normal', std: 0.1 } },
    { op: 'multiHeadAttention', name: name(20), inputs: [from(name(19))], heads: 2, causal: true, weightInit: { type: 'heUniform' }, biasInit: { type: 'zeros' } },
    { op: 'layerNorm', name: name(21), inputs: [from(name(20))] },
    { op: 'gru', name: name(22), inputs: [from(name(21))], units: 2, returnSequences: true, weightInit: { type: 'glorotUniform' }, recurrentInit: { type: 'heNormal' }, biasInit: { type: 'constant', value: 0.1 } },
    { op: 'lstm', name: name(23), inputs: [from(name(22))], units: 4, weightInit: { type: 'glorotNormal' }, recurrentInit: { type: 'uniform', min: -0.5, max: 0.5 }, biasInit: { type: 'zeros' }, forgetBiasInit: { type: 'ones' } },
    { op: 'softplus', name: name(24), inputs: [from(name(23))] },
    { op: 'add', name: name(25), inputs: [from(name(17)), from(name(24))] },
    { op: 'add', name: name(6), inputs: ['constructor', from(name(25))] },
    { op: 'softmax', name: name(7), inputs: [from(name(6))] },
    { op: 'linear', name: 'toString', inputs: [from(name(7))], inFeatures: 4, outFeatures: 1, weightInit: { type: 'uniform', min: -0.5, max: 0.5 } },
    { op: 'identity', name: name(8), inputs: ['toString'] },
  ];
  const output = also(name(8), 'spec.output');
  return { version: 1, inputShape: [2], layers, output, loss: { op: 'mse', name: mark('spec.loss.name', true), inputs: [also(output, 'spec.loss.inputs[]'), 'y'] } };
}

const SPEC = markedSpec();
const SPEC_TEXT = JSON.stringify(SPEC);
const OPTIMIZER_JSON = markedJson('checkpoint.optimizer');
const RUN_JSON = markedJson('checkpoint.run');
const META_JSON = markedJson('checkpoint.meta');
const POLICY_STATE = markedJson('run.policies[]');
// Parameter ids and generator keys are the marked node names.
for (const p of planted.filter((q) => q.name)) {
  p.sites.add('checkpoint.params{}');
  p.sites.add('run.generators{}');
}

// The input is read as features (by linear) and as token ids (by embedding), so its values are ids:
// the xor table's 0 and 1, which the command line also trains on (builtin:xor), eight times over.
const X = Array.from({ length: 32 }, (_, i) => [i % 2, (i >> 1) % 2]);
const Y = X.map(([a, b]) => [a === b ? 0 : 1]);

/** Three training steps and a prediction through a plan of 32 rows (large enough for kernel calls, not only inlined loops). */
function stepAndPredict(model: Model): void {
  const plan = model.compile(32);
  plan.x.data.set(X.flat());
  plan.y.data.set(Y.flat());
  for (let i = 0; i < 3; i++) {
    plan.forward();
    plan.backward();
  }
  // The first prediction records the nodes' calls, the second runs the generated pass.
  model.predict(X);
  const out = model.predict(X);
  expect(out.shape).toEqual([32, 1]);
  expect(Array.from(out.data).every(Number.isFinite)).toBe(true);
}

/** Remembers what it is given back on resume, and saves `state` after every epoch. */
function keeping(state: unknown, restored: unknown[]) {
  return definePolicy(['epoch'], (events$, context: PolicyContext) => {
    restored.push(context.restored);
    return events$.pipe(
      filter((e) => e.type === 'epoch'),
      map((): TrainCommand => ({ type: 'saveState', state })),
    );
  });
}

// ---------------------------------------------------------------------------------------------

describe('no string from a spec or a checkpoint reaches generated code', () => {
  it('every string site of the spec, checkpoint and run-state schemas is covered, by a marker or by a refusal', () => {
    const derived = new Map([
      ...stringSites(specSchema(defaultRegistry) as Schema, 'spec'),
      ...stringSites(checkpointSchema as unknown as Schema, 'checkpoint'),
      ...stringSites(runStateSchema as unknown as Schema, 'run'),
    ]);
    // A new string field (a new op with a string option, a new checkpoint field) lands here first.
    expect(Object.fromEntries([...derived].sort())).toEqual(Object.fromEntries(Object.entries(COVERAGE).map(([site, [kind]]) => [site, kind]).sort()));
    const markedSites = new Set(planted.flatMap((p) => [...p.sites]));
    for (const [site, [, how]] of Object.entries(COVERAGE)) {
      if (how === 'marker') expect(markedSites.has(site), `no fixture plants a marker at ${site}`).toBe(true);
      if (how === 'refused') expect(REFUSALS[site], `no refusal test for ${site}`).toBeDefined();
    }
  });

  it('the marked spec uses every registered op but the losses as a layer', () => {
    // Read off the schema as the sites are: a new op fails here until the fixture plants markers around it.
    const definitions = (specSchema(defaultRegistry) as Schema).definitions as Readonly<Record<string, { oneOf?: readonly Schema[] }>>;
    const titles = (union: { oneOf?: readonly Schema[] } | undefined): string[] => (union?.oneOf ?? []).map((b) => String(b.title));
    const losses = new Set(titles(definitions.loss));
    const layerOps = titles(definitions.layer).filter((op) => !losses.has(op));
    expect(layerOps.length).toBeGreaterThan(0);
    expect(layerOps.filter((op) => !SPEC.layers.some((l) => l.op === op))).toEqual([]);
  });

  it('the check itself fails on a planted string, a marker outside a name, a string literal or a canary', () => {
    const name = planted.find((p) => p.name) as Planted;
    const other = planted.find((p) => !p.name) as Planted;
    expect(() => expectInert([`function f() {}\n${name.text}`])).toThrow();
    // A comment may hold a name only on one line of printable ASCII: U+2028 ends the line.
    const broken = planted.find((p) => p.name && p.text.includes('\u2028')) as Planted;
    expect(() => expectInert([`// node "${broken.text}" (linear), forward`])).toThrow();
    expect(() => expectInert([`const a = ${name.token};`])).toThrow();
    expect(() => expectInert([`// ${other.token}`])).toThrow();
    expect(() => expectInert(['const a = "relu";\n//# sourceURL=gradstream-plan.js'])).toThrow();
    // A name where names may stand passes.
    expectInert([`// node "${name.token}??" (linear), forward\nfunction node_${name.token}_forward() {}\nnode_${name.token}_forward();`]);
    globals.gradstreamCanary = 1;
    expect(() => expectInert([])).toThrow();
  });

  for (const backend of ['ts', 'wasm'] as const) {
    it(`loads a marked spec and checkpoint as objects, text and a file, and trains and predicts on the ${backend} backend`, async () => {
      const options = { backend, threads: 1, seed: 1 };
      const dir = mkdtempSync(join(tmpdir(), 'gradstream-untrusted-'));
      try {
        const models = [fromSpec(SPEC, options), fromSpec(JSON.parse(SPEC_TEXT), options), buildModel(validateSpec(JSON.parse(SPEC_TEXT)), options)];
        const checkpoint = toCheckpoint(models[0] as Model, { optimizer: OPTIMIZER_JSON, run: RUN_JSON, meta: META_JSON, step: 3, epoch: 1, rng: [1, 2, 3, 4] });
        const text = JSON.stringify(checkpoint);
        const file = join(dir, 'marked.ckpt.json');
        writeFileSync(file, text);
        const loaded = [fromCheckpoint(checkpoint, options), fromCheckpoint(JSON.parse(text), options), fromCheckpoint(parseCheckpoint(text), options), await loadCheckpoint(file, options)];
        for (const l of loaded) {
          // Free JSON comes back as it went in, "__proto__" keys included.
          expect(l.meta).toEqual(META_JSON);
          expect(Object.keys(l.meta as object)).toContain('__proto__');
          expect(l.optimizer).toEqual(OPTIMIZER_JSON);
          expect(l.run).toEqual(RUN_JSON);
          models.push(l.model);
        }
        for (const m of models) stepAndPredict(m);
        const passes = sources.filter((s) => s.includes('//# sourceURL=gradstream-plan-'));
        expect(passes.some((s) => s.includes('sourceURL=gradstream-plan-infer-32-forward_eval'))).toBe(true);
        // The recording sees the passes, and the names in them: the check has something to check.
        expect(passes.length).toBeGreaterThan(0);
        expect(passes.some((s) => /^\/\/ node "gsmk\d+z/m.test(s))).toBe(true);
        expectInert(sources);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it(`trains a marked spec with fit, checkpoints to a file with marked meta and policy state, and resumes from it on the ${backend} backend`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gradstream-untrusted-'));
      try {
        const model = fromSpec(JSON.parse(SPEC_TEXT), { backend, threads: 1, seed: 2 });
        const control = new Subject<TrainCommand>();
        const first: unknown[] = [];
        const run$ = fit(model, { x: X, y: Y }, { epochs: 2, batchSize: 32, optimizer: adam({ lr: 0.01 }), seed: 3, control, policies: [keeping(POLICY_STATE, first)] });
        const events = lastValueFrom(run$.pipe(toArray()));
        const sub = run$.subscribe((e) => e.type === 'epoch' && e.epoch === 1 && control.next({ type: 'checkpoint', meta: META_JSON as never }));
        const all: TrainEvent[] = await events;
        sub.unsubscribe();
        const event = all.find((e) => e.type === 'checkpoint');
        if (event?.type !== 'checkpoint') throw new Error('no checkpoint event');
        const file = join(dir, 'run.ckpt.json');
        await writeCheckpointFile(event.checkpoint, file);

        const { model: again, ...state } = await loadCheckpoint(file, { backend, threads: 1 });
        expect(state.meta).toEqual(META_JSON);
        // The generators are kept by node name: "__proto__" among them, as an own key.
        expect(Object.keys((state.run as { generators: object }).generators)).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'toString']));
        const resumed: unknown[] = [];
        const rest: TrainEvent[] = await lastValueFrom(
          fit(again, { x: X, y: Y }, { epochs: 2, batchSize: 32, optimizer: adam({ lr: 0.01 }), seed: 3, policies: [keeping(POLICY_STATE, resumed)], resume: state }).pipe(toArray()),
        );
        expect(resumed).toEqual([POLICY_STATE]);
        expect(rest.at(-1)).toMatchObject({ type: 'end', reason: 'completed', steps: 2 });
        stepAndPredict(again);
        expect(sources.some((s) => s.includes('//# sourceURL=gradstream-adam-update'))).toBe(true);
        expectInert(sources);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('refuses a marked string where only a fixed set or a format is accepted, before generating any code with it', () => {
    const base = toCheckpoint(fromSpec(SPEC, { backend: 'ts', seed: 1 }));
    for (const [site, refusal] of Object.entries(REFUSALS)) {
      const text = mark(site);
      const doc = { spec: JSON.parse(SPEC_TEXT) as MutableSpec, checkpoint: JSON.parse(JSON.stringify(base)) as Record<string, unknown> };
      refusal.plant(doc, text);
      const attempts = site.startsWith('spec.')
        ? [
            [() => fromSpec(doc.spec), refusal.code],
            [() => fromCheckpoint({ ...doc.checkpoint, spec: doc.spec }), 'CHECKPOINT_INVALID'],
          ]
        : [[() => fromCheckpoint(doc.checkpoint), refusal.code]];
      for (const [attempt, code] of attempts as [() => unknown, string][]) {
        let error: unknown;
        try {
          attempt();
        } catch (e) {
          error = e;
        }
        expect(error, site).toBeInstanceOf(GradstreamError);
        expect((error as GradstreamError).code, site).toBe(code);
      }
    }
    expectInert(sources);
  });

  it('refuses optimizer state whose strings are not the optimizer’s own', () => {
    const refused = (state: unknown): string => {
      try {
        adam().setState(state as never);
      } catch (e) {
        return (e as GradstreamError).code;
      }
      return 'accepted';
    };
    expect(refused({ name: mark('optimizer state name'), config: {}, steps: 0, slots: { m: [], v: [] } })).toBe('INVALID_OPTION');
    expect(refused({ name: 'adam', config: { lr: 0.01, [mark('optimizer config key')]: 1 }, steps: 0, slots: { m: [], v: [] } })).toBe('INVALID_OPTION');
    expect(refused({ name: 'adam', config: { lr: 0.01, beta1: mark('optimizer config value') }, steps: 0, slots: { m: [], v: [] } })).toBe('INVALID_OPTION');
    expect(refused({ name: 'adam', config: { lr: 0.01 }, steps: 0, slots: { m: [], [mark('optimizer slot')]: [] } })).toBe('INVALID_OPTION');
    expectInert(sources);
  });

  it('an elementwise function outside the table is refused where a pass is written, not bound or written into it', () => {
    const call = { kernel: 'unary' as const, args: ['constructor', new Float32Array(100), new Float32Array(100)] };
    const bindings = { value: () => 'v', arg: () => 'a' } as never;
    expect(() => tsBackend.renderCall(call, bindings)).toThrow(/unknown elementwise function "constructor"/);
    expect(() => tsBackend.unary('__proto__' as never, new Float32Array(1), new Float32Array(1))).toThrow(GradstreamError);
  });

  it('the command line validates, trains, evaluates and predicts with a marked spec and checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-untrusted-cli-'));
    const cli = async (argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd: dir, env: {} });
      return { code, stdout, stderr };
    };
    try {
      writeFileSync(join(dir, 'spec.json'), SPEC_TEXT);
      expect((await cli(['validate', 'spec.json'])).code).toBe(0);
      const trained = await cli(['train', 'spec.json', '--data', 'builtin:xor', '--epochs', '2', '--json', '--checkpoint', 'best.json', '--backend', 'wasm', '--threads', '1']);
      expect(trained.stderr).toBe('');
      expect(trained.code).toBe(0);
      const saved = JSON.parse(readFileSync(join(dir, 'best.json'), 'utf8')) as Checkpoint;
      // The file as a stranger might hand it over: marked free fields besides what train kept.
      writeFileSync(join(dir, 'best.json'), JSON.stringify({ ...saved, optimizer: OPTIMIZER_JSON, run: RUN_JSON, meta: { ...(saved.meta as object), ...(META_JSON as object) } }));
      for (const backend of ['ts', 'wasm']) {
        const predicted = await cli(['predict', 'best.json', '--data', 'builtin:xor', '--backend', backend, '--threads', '1']);
        expect(predicted.stderr).toBe('');
        expect(predicted.stdout.trimEnd().split('\n')).toHaveLength(5);
        expect((await cli(['eval', 'best.json', '--data', 'builtin:xor', '--backend', backend, '--threads', '1'])).code).toBe(0);
      }
      expect(sources.some((s) => s.includes('//# sourceURL=gradstream-plan-'))).toBe(true);
      expectInert(sources);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
