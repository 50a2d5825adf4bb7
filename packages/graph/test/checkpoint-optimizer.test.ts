import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GradstreamError, Rng } from '@gradstream/tensor';
import { linearOp, mseOp, sigmoidOp } from '@gradstream/ops';
import { loadCheckpoint } from '@gradstream/graph/node';
import {
  CHECKPOINT_VERSION,
  createRegistry,
  decodeOptimizerState,
  fromCheckpoint,
  loadParams,
  sequential,
  toCheckpoint,
  validateCheckpoint,
  type Checkpoint,
  type CheckpointTensor,
  type JsonValue,
  type Model,
} from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

// An optimizer's slot buffers in a checkpoint: binary like the parameters (version 2), under a
// checksum of their own; version-1 files, which kept number arrays, still load.

const registry = createRegistry([linearOp, sigmoidOp, mseOp]);

function build(dtype: 'float32' | 'float64' = 'float32', seed = 3): Model {
  return sequential(
    [
      { op: 'linear', inFeatures: 2, outFeatures: 4 },
      { op: 'sigmoid' },
      { op: 'linear', inFeatures: 4, outFeatures: 1 },
    ],
    { inputShape: [2], loss: { op: 'mse' }, seed, registry, dtype },
  );
}

/** Values of the model's dtype, one buffer per parameter, none of them round: what an optimizer of that model holds. */
function buffers(model: Model, salt: number, f = (x: number) => x): number[][] {
  const round = model.dtype === 'float32' ? Math.fround : (v: number) => v;
  return model.parameters().map((p, k) => Array.from({ length: p.value.size }, (_, i) => round(f(Math.sin(salt + 7 * k + i) / (3 + i)))));
}

/** An Adam-like state: settings, a step count, two slots. */
function adamState(model: Model): { name: string; config: Record<string, number>; steps: number; slots: { m: number[][]; v: number[][] } } {
  return { name: 'adam', config: { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, steps: 12, slots: { m: buffers(model, 1), v: buffers(model, 2, (x) => x * x) } };
}

/** A mutable copy, as it would come back from JSON text. */
const stored = (c: Checkpoint): Record<string, any> => JSON.parse(JSON.stringify(c)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const leBytes = (values: readonly number[], dtype: 'float32' | 'float64'): Buffer =>
  Buffer.from((dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values)).buffer); // the test host is little-endian
const paramBits = (m: Model): number[][] => m.parameters().map((p) => Array.from(p.value.data));

describe('optimizer state in a version-2 checkpoint', () => {
  it('stores each slot buffer as base64 of its little-endian bytes, typed and shaped like its parameter, under the SHA-256 of those bytes', () => {
    const model = sequential(
      [{ op: 'linear', inFeatures: 1, outFeatures: 1, weightInit: { type: 'constant', value: 0.5 }, biasInit: { type: 'constant', value: -2 } }],
      { inputShape: [1], loss: { op: 'mse' }, registry },
    );
    // Listed v before m: the checksum takes the slots by sorted name, whatever order they come in.
    const state = { name: 'adam', config: { lr: 0.1 }, steps: 1, slots: { v: [[0.25], [4]], m: [[-0.5], [1]] } };
    const c = toCheckpoint(model, { optimizer: state });
    expect(c.formatVersion).toBe(2);
    expect(CHECKPOINT_VERSION).toBe(2);
    // IEEE 754 single: -0.5 = 0xBF000000, 1 = 0x3F800000, 0.25 = 0x3E800000, 4 = 0x40800000, low byte first.
    const m0 = Uint8Array.from([0, 0, 0, 0xbf]);
    const m1 = Uint8Array.from([0, 0, 0x80, 0x3f]);
    const v0 = Uint8Array.from([0, 0, 0x80, 0x3e]);
    const v1 = Uint8Array.from([0, 0, 0x80, 0x40]);
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
    expect(c.optimizer).toEqual({
      name: 'adam',
      config: { lr: 0.1 },
      steps: 1,
      slots: {
        v: [
          { shape: [1, 1], dtype: 'float32', data: b64(v0) },
          { shape: [1], dtype: 'float32', data: b64(v1) },
        ],
        m: [
          { shape: [1, 1], dtype: 'float32', data: b64(m0) },
          { shape: [1], dtype: 'float32', data: b64(m1) },
        ],
      },
      checksum: createHash('sha256').update(m0).update(m1).update(v0).update(v1).digest('hex'),
    });
    // The envelope's checksum still covers the parameters alone.
    expect(c.checksum).toBe(toCheckpoint(model).checksum);
    expect(fromCheckpoint(stored(c), { registry }).optimizer).toEqual(state);
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: the numbers come back exactly, negative zero included, and the entries are ${dtype}`, () => {
      const model = build(dtype);
      const state = adamState(model);
      (state.slots.m[0] as number[])[1] = -0;
      const c = stored(toCheckpoint(model, { optimizer: state, step: 12 }));
      const loaded = fromCheckpoint(c, { registry });
      expect(loaded.optimizer).toEqual(state);
      expect(Object.is(((loaded.optimizer as typeof state).slots.m[0] as number[])[1], -0)).toBe(true);
      // toEqual compares numbers with Object.is: every value is the same double.
      const entries = c.optimizer.slots.m as CheckpointTensor[];
      expect(entries.map((e) => [e.dtype, e.shape])).toEqual(model.parameters().map((p) => [dtype, [...p.value.shape]]));
      expect(Buffer.from(entries[2]!.data, 'base64')).toEqual(leBytes(state.slots.m[2] as number[], dtype));
    });
  }

  it('keeps as float64 of shape [n] a buffer float32 would round or that is not sized like its parameter: no value is lost', () => {
    const model = build('float32');
    const state = adamState(model);
    (state.slots.m[0] as number[])[0] = 0.1; // not a float32 value
    state.slots.v[3] = [1 / 3, 2 / 3]; // the last parameter (a bias) has one value
    const c = stored(toCheckpoint(model, { optimizer: state }));
    const m = c.optimizer.slots.m as CheckpointTensor[];
    const v = c.optimizer.slots.v as CheckpointTensor[];
    expect([m[0]!.dtype, m[0]!.shape, m[1]!.dtype]).toEqual(['float64', [4, 2], 'float32']);
    expect([v[3]!.dtype, v[3]!.shape]).toEqual(['float64', [2]]);
    expect(fromCheckpoint(c, { registry }).optimizer).toEqual(state);
  });

  it('stores a fresh optimizer (no buffers yet) and one without slots (sgd) with the checksum of no bytes', () => {
    const empty = createHash('sha256').digest('hex');
    const model = build();
    for (const state of [
      { name: 'adam', config: { lr: 0.01 }, steps: 0, slots: { m: [], v: [] } },
      { name: 'sgd', config: { lr: 0.1 }, steps: 4, slots: {} },
    ]) {
      const c = stored(toCheckpoint(model, { optimizer: state }));
      expect(c.optimizer).toEqual({ ...state, checksum: empty });
      expect(fromCheckpoint(c, { registry }).optimizer).toEqual(state);
    }
  });

  it('a slot named "__proto__" stays a slot of its own', () => {
    const model = build();
    const state = JSON.parse('{"name":"custom","config":{},"steps":1,"slots":{"__proto__":[[1,2,3,4,5,6,7,8],[1,2,3,4],[1,2,3,4],[0.5]]}}') as JsonValue;
    const loaded = fromCheckpoint(stored(toCheckpoint(model, { optimizer: state })), { registry }).optimizer as Record<string, Record<string, unknown>>;
    expect(Object.keys(loaded.slots as object)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(loaded.slots)).toBe(Object.prototype);
    expect(loaded).toEqual(state);
  });

  it('keeps an optimizer value without slots as the plain JSON it is', () => {
    const free = { note: 'a custom optimizer', weights: [1, 2.5], nested: { slot: [[1]] } };
    const c = stored(toCheckpoint(build(), { optimizer: free }));
    expect(c.optimizer).toEqual(free);
    expect(fromCheckpoint(c, { registry }).optimizer).toEqual(free);
  });

  it('takes a checkpoint’s own encoded field back as it is: checked, and written again unchanged', () => {
    const model = build();
    const first = toCheckpoint(model, { optimizer: adamState(model) });
    expect(toCheckpoint(model, { optimizer: stored(first).optimizer }).optimizer).toEqual(first.optimizer);
    const broken = stored(first);
    broken.optimizer.checksum = '0'.repeat(64);
    const e = catchGradstream(() => toCheckpoint(model, { optimizer: broken.optimizer }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toContain('extra/optimizer/checksum mismatch');
  });

  it('refuses slots that are not number arrays, and a state holding a checksum of its own, naming the path', () => {
    const model = build();
    const refused = (optimizer: unknown, path: string): void => {
      const e = catchGradstream(() => toCheckpoint(model, { optimizer }));
      expect(e.code).toBe('INVALID_OPTION');
      expect(e.message).toContain(path);
    };
    refused({ name: 'x', slots: 3 }, 'extra/optimizer/slots: expected an object of slot buffers');
    refused({ name: 'x', slots: { m: [[1, 2], 'no'] } }, 'extra/optimizer/slots/m/1: expected an array of numbers, got a string');
    refused({ name: 'x', slots: { m: [[1, Number.NaN]] } }, 'extra/optimizer/slots/m/0/1: expected a finite number, got number NaN');
    refused({ name: 'x', slots: { m: new Float32Array(2) } }, 'extra/optimizer/slots/m: expected a list of number arrays (one per parameter), got a Float32Array');
    // A checksum marks a checkpoint's encoded field, so a state with one of its own is read as that, and refused.
    refused({ name: 'x', slots: { m: [[1]] }, checksum: 'mine' }, 'extra/optimizer/checksum: expected the SHA-256 of the slot buffers (64 hex digits), got a string');
  });

  it('decodeOptimizerState decodes a checkpoint’s field and passes plain states and free JSON through', () => {
    const model = build();
    const state = adamState(model);
    const c = stored(toCheckpoint(model, { optimizer: state }));
    expect(decodeOptimizerState(c.optimizer as JsonValue)).toEqual(state);
    expect(decodeOptimizerState(state)).toBe(state);
    expect(decodeOptimizerState({ any: 'thing' })).toEqual({ any: 'thing' });
    expect(decodeOptimizerState(undefined)).toBeUndefined();
    c.optimizer.slots.v[1].data = 'AAAA';
    const e = catchGradstream(() => decodeOptimizerState(c.optimizer as JsonValue, 'resume.optimizer'));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toContain('resume.optimizer/slots/v/1/data: expected 16 bytes (4 float32), got 3');
  });
});

describe('a corrupted optimizer state is CHECKPOINT_INVALID naming the path, found before anything is applied', () => {
  const base = (): Record<string, any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const model = build('float32', 8);
    return stored(toCheckpoint(model, { optimizer: adamState(model), step: 12 }));
  };
  const flip = (b64: string, index: number): string => {
    const bytes = Buffer.from(b64, 'base64');
    bytes[index] = (bytes[index] as number) ^ 0x01;
    return bytes.toString('base64');
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const cases: [string, (o: Record<string, any>) => void, string][] = [
    ['a flipped byte', (o) => void (o.slots.v[2].data = flip(o.slots.v[2].data, 3)), 'optimizer/checksum mismatch: optimizer slot bytes were altered'],
    ['an altered checksum', (o) => void (o.checksum = 'f'.repeat(64)), 'optimizer/checksum mismatch'],
    ['a buffer moved from one slot to another', (o) => void ([o.slots.m[0], o.slots.v[0]] = [o.slots.v[0], o.slots.m[0]]), 'optimizer/checksum mismatch'],
    ['bad base64', (o) => void (o.slots.m[0].data = `!${o.slots.m[0].data.slice(1)}`), 'optimizer/slots/m/0/data: not base64'],
    ['a base64 length not a multiple of 4', (o) => void (o.slots.m[1].data = o.slots.m[1].data.slice(0, -1)), 'optimizer/slots/m/1/data: not base64 (length 23 is not a multiple of 4)'],
    ['too few bytes', (o) => void (o.slots.m[1].data = 'AAAAAA=='), 'optimizer/slots/m/1/data: expected 16 bytes (4 float32), got 4'],
    ['a shape its bytes do not fill', (o) => void (o.slots.v[0].shape = [4, 3]), 'optimizer/slots/v/0/data: expected 48 bytes (12 float32), got 32'],
    ['an unknown dtype', (o) => void (o.slots.v[1].dtype = 'int8'), 'optimizer/slots/v/1/dtype: expected "float32" or "float64", got "int8"'],
    ['no checksum', (o) => void delete o.checksum, 'optimizer/checksum: expected the SHA-256 of the slot buffers (64 hex digits), got nothing'],
    ['number arrays, as version 1 kept them', (o) => void (o.slots.m = [[1, 2]]), 'optimizer/slots/m/0: expected a tensor { shape, dtype, data }, got an array'],
    ['slots that are not an object', (o) => void (o.slots = [1]), 'optimizer/slots: expected an object of slot buffer lists, got an array'],
    ['an unknown field in an entry', (o) => void (o.slots.m[3].scale = 2), 'optimizer/slots/m/3: unknown field(s) "scale"'],
  ];

  it.each(cases)('%s', (_what, corrupt, line) => {
    const c = base();
    corrupt(c.optimizer);
    const e = catchGradstream(() => fromCheckpoint(c, { registry }));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toContain(line);
    expect(e.details.path).toMatch(/^optimizer\//);
  });

  it('any value anywhere in the encoded state loads or is CHECKPOINT_INVALID, never another error', () => {
    const rng = Rng.fromSeed(5);
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(rng.next() * list.length)] as T;
    const values: JsonValue[] = [null, 0, -1, 2.5, 1e300, '', 'AAAA', '__proto__', true, [], [1, 2], {}, { shape: [1], dtype: 'float32', data: 'AAAAAA==' }, { __proto__: 1 }];
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const c = base();
      // A random walk into the optimizer field, then a random value put there.
      let at: Record<string, unknown> = c as Record<string, unknown>;
      let key = 'optimizer';
      for (let depth = 0; depth < 5; depth++) {
        const next = at[key];
        if (typeof next !== 'object' || next === null || rng.next() < 0.2) break;
        const keys = Object.keys(next);
        if (keys.length === 0) break;
        at = next as Record<string, unknown>;
        key = pick(keys);
      }
      Object.defineProperty(at, key, { value: JSON.parse(JSON.stringify(pick(values))), enumerable: true, writable: true, configurable: true });
      try {
        fromCheckpoint(c, { registry });
      } catch (e) {
        expect(e).toBeInstanceOf(GradstreamError);
        expect((e as GradstreamError).code).toBe('CHECKPOINT_INVALID');
        refused++;
      }
    }
    // Many land in name, config or steps, which the optimizer checks when it takes the state, or replace the whole field with free JSON.
    expect(refused).toBeGreaterThan(80);
  });

  it('reports every problem at once', () => {
    const c = base();
    c.optimizer.slots.m[0].dtype = 'half';
    c.optimizer.slots.v[3].data = 'A';
    const e = catchGradstream(() => fromCheckpoint(c, { registry }));
    expect(e.message.split('\n').slice(1)).toEqual([
      'optimizer/slots/m/0/dtype: expected "float32" or "float64", got "half"',
      'optimizer/slots/v/3/data: not base64 (length 1 is not a multiple of 4)',
    ]);
  });

  it('loadParams leaves the model as it was when only the optimizer state is broken', () => {
    const target = build('float32', 1);
    const before = paramBits(target);
    const c = base();
    c.optimizer.slots.v[0].data = flip(c.optimizer.slots.v[0].data, 0);
    expect(catchGradstream(() => loadParams(target, c)).message).toContain('optimizer/checksum mismatch');
    expect(paramBits(target)).toEqual(before);
    // The same checkpoint, unbroken, does load: the refusal was the optimizer's.
    loadParams(target, base());
    expect(paramBits(target)).not.toEqual(before);
  });

  it('loadCheckpoint names the file and the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradstream-ckpt-optimizer-'));
    try {
      const path = join(dir, 'broken.json');
      const c = base();
      c.optimizer.slots.m[2].data = 'AAAA';
      await writeFile(path, JSON.stringify(c));
      const e = await loadCheckpoint(path, { registry }).then(
        () => undefined,
        (err: unknown) => err as { code: string; message: string },
      );
      expect(e?.code).toBe('CHECKPOINT_INVALID');
      expect(e?.message).toContain(`${path}: invalid checkpoint: its optimizer state does not decode:\noptimizer/slots/m/2/data: expected 16 bytes (4 float32), got 3`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('version-1 checkpoints', () => {
  // Written by version 1 (optimizer slots as number arrays): a 2-3-1 network after three Adam steps
  // of a fit run, with the run state of its checkpoint event. Never regenerate it with a newer writer.
  const fixture = fileURLToPath(new URL('./fixtures/v1-adam.ckpt.json', import.meta.url));
  const raw = (): Record<string, any> => JSON.parse(readFileSync(fixture, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('load: parameters verified against their checksum, the optimizer state returned as written', async () => {
    const json = raw();
    expect(json.formatVersion).toBe(1);
    expect(validateCheckpoint(json).formatVersion).toBe(1);
    const loaded = await loadCheckpoint(fixture);
    expect(loaded.optimizer).toEqual(json.optimizer);
    expect((loaded.optimizer as { slots: { m: number[][] } }).slots.m[0]).toHaveLength(6);
    expect([loaded.step, loaded.epoch]).toEqual([3, 1]);
    const weight = Buffer.from(json.params['linear_1.weight'].data, 'base64');
    expect(Array.from(loaded.model.parameters()[0]!.value.data)).toEqual(Array.from(new Float32Array(weight.buffer, weight.byteOffset, 6)));
    // Its checksum still guards its parameters.
    json.params['linear_2.bias'].data = 'AAAAAA==';
    expect(catchGradstream(() => fromCheckpoint(json)).message).toContain('checksum mismatch: parameter bytes were altered');
  });

  it('saved again, it is written as version 2 with the same numbers and the same parameter checksum', async () => {
    const json = raw();
    const { model, ...state } = await loadCheckpoint(fixture);
    const again = stored(toCheckpoint(model, state));
    expect(again.formatVersion).toBe(2);
    expect(again.checksum).toBe(json.checksum);
    expect(typeof again.optimizer.slots.v[0].data).toBe('string');
    expect(fromCheckpoint(again).optimizer).toEqual(json.optimizer);
  });

  it('keeps reading free-form optimizer JSON in a version-1 file as it is', () => {
    const json = raw();
    json.optimizer = { slots: 'not buffers', checksum: 7 };
    expect(fromCheckpoint(json).optimizer).toEqual({ slots: 'not buffers', checksum: 7 });
  });
});
