import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GradstreamError, Rng } from '@gradstream/tensor';
import { linearOp, mseOp, sigmoidOp } from '@gradstream/ops';
import { loadCheckpoint, saveCheckpoint } from '@gradstream/graph/node';
import {
  createRegistry,
  fromCheckpoint,
  loadParams,
  parseCheckpoint,
  sequential,
  toCheckpoint,
  validateCheckpoint,
  type Checkpoint,
  type Model,
} from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

// Only the three ops this file relies on, so ops added to the built-in set later change nothing here.
const registry = createRegistry([linearOp, sigmoidOp, mseOp]);

const X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];

function build(seed: number, hidden = 4, dtype: 'float32' | 'float64' = 'float32'): Model {
  return sequential(
    [
      { op: 'linear', inFeatures: 2, outFeatures: hidden },
      { op: 'sigmoid' },
      { op: 'linear', inFeatures: hidden, outFeatures: 1 },
    ],
    { inputShape: [2], loss: { op: 'mse' }, seed, registry, dtype },
  );
}

/** A model whose parameters no seed would produce, so a load that did nothing shows. */
function trained(seed = 3, dtype: 'float32' | 'float64' = 'float32'): Model {
  const m = build(seed, 4, dtype);
  for (const p of m.parameters()) for (let i = 0; i < p.value.size; i++) p.value.data[i] = Math.cos(3 * i + p.value.size) / 3;
  return m;
}

const bits = (m: Model): number[] => Array.from(m.predict(X).data);
const paramBits = (m: Model): number[][] => m.parameters().map((p) => Array.from(p.value.data));

/** A mutable deep copy of a checkpoint, as it would come back from JSON. */
const copy = (c: Checkpoint): Record<string, any> => JSON.parse(JSON.stringify(c)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function rejection(p: Promise<unknown>): Promise<GradstreamError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GradstreamError);
    return e as GradstreamError;
  }
  throw new Error('expected a GradstreamError');
}

describe('toCheckpoint', () => {
  it('stores parameters as base64 of little-endian bytes and their SHA-256', () => {
    const model = sequential(
      [{ op: 'linear', inFeatures: 1, outFeatures: 1, weightInit: { type: 'constant', value: 0.5 }, biasInit: { type: 'constant', value: -2 } }],
      { inputShape: [1], loss: { op: 'mse' }, registry },
    );
    const c = toCheckpoint(model);
    // IEEE 754 single: 0.5 = 0x3F000000, -2 = 0xC0000000; little-endian puts the low byte first.
    const weight = Uint8Array.from([0x00, 0x00, 0x00, 0x3f]);
    const bias = Uint8Array.from([0x00, 0x00, 0x00, 0xc0]);
    expect(c.params['linear_1.weight']).toEqual({ shape: [1, 1], dtype: 'float32', data: Buffer.from(weight).toString('base64') });
    expect(c.params['linear_1.bias']).toEqual({ shape: [1], dtype: 'float32', data: Buffer.from(bias).toString('base64') });
    expect(c.checksum).toBe(createHash('sha256').update(weight).update(bias).digest('hex'));
    expect(c.format).toBe('gradstream-checkpoint');
    expect(c.formatVersion).toBe(2);
  });

  it('refuses training state that is not plain JSON', () => {
    const e = catchGradstream(() => toCheckpoint(build(1), { optimizer: { slots: { w: new Float32Array(2) } } }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toContain('extra/optimizer/slots/w');
    expect(catchGradstream(() => toCheckpoint(build(1), { step: -1 })).message).toContain('step must be >= 0');
  });
});

describe('fromCheckpoint', () => {
  it('rebuilds a model with bit-identical outputs and returns the saved state', () => {
    const model = trained();
    const rng = Rng.fromSeed(9);
    rng.next();
    const extra = { optimizer: { name: 'sgd', config: { lr: 0.1 }, steps: 12, slots: {} }, rng: rng.state(), step: 12, epoch: 3, meta: { run: 'xor' } };
    const loaded = fromCheckpoint(JSON.parse(JSON.stringify(toCheckpoint(model, extra))), { registry });
    expect(bits(loaded.model)).toEqual(bits(model));
    expect(bits(build(3))).not.toEqual(bits(model));
    expect(loaded.optimizer).toEqual(extra.optimizer);
    expect(loaded.rng).toEqual(extra.rng);
    expect(Rng.fromState(loaded.rng!).next()).toBe(rng.next());
    expect([loaded.step, loaded.epoch, loaded.meta]).toEqual([12, 3, { run: 'xor' }]);
  });

  it('keeps float64 parameters bit for bit', () => {
    const model = trained(4, 'float64');
    const loaded = fromCheckpoint(copy(toCheckpoint(model)), { registry });
    expect(loaded.model.dtype).toBe('float64');
    expect(paramBits(loaded.model)).toEqual(paramBits(model));
  });
});

describe('corrupted checkpoints', () => {
  const base = () => copy(toCheckpoint(trained()));
  const flipByte = (b64: string, index: number): string => {
    const bytes = Buffer.from(b64, 'base64');
    bytes[index] = (bytes[index] as number) ^ 0x01;
    return bytes.toString('base64');
  };

  const cases: [string, (c: Record<string, any>) => unknown, string][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['not an object', () => 'hello', '(root): expected an object, got string'],
    ['wrong format tag', (c) => ({ ...c, format: 'gradstream-ckpt' }), 'format: expected "gradstream-checkpoint", got "gradstream-ckpt"'],
    ['wrong version', (c) => ({ ...c, formatVersion: 3 }), 'formatVersion: expected 1 or 2, got 3'],
    ['missing checksum', ({ checksum: _c, ...c }) => c, 'checksum is required'],
    ['negative step', (c) => ({ ...c, step: -1 }), 'step must be >= 0'],
    [
      'missing parameter',
      (c) => {
        delete c.params['linear_1.bias'];
        return c;
      },
      'params/linear_1.bias: missing (the model has float32 [4])',
    ],
    [
      'extra parameter',
      (c) => ({ ...c, params: { ...c.params, 'linear_3.weight': { shape: [1], dtype: 'float32', data: 'AAAAAA==' } } }),
      'params/linear_3.weight: not a parameter of this model',
    ],
    [
      'wrong shape',
      (c) => {
        c.params['linear_1.weight'].shape = [4, 3];
        return c;
      },
      'params/linear_1.weight: expected shape [4,2], got [4,3]',
    ],
    [
      'wrong dtype',
      (c) => {
        c.params['linear_1.bias'].dtype = 'float64';
        return c;
      },
      'params/linear_1.bias/dtype: expected "float32", got "float64"',
    ],
    [
      'flipped byte in the data',
      (c) => {
        c.params['linear_2.weight'].data = flipByte(c.params['linear_2.weight'].data, 5);
        return c;
      },
      'checksum mismatch: parameter bytes were altered',
    ],
    [
      'bad base64 length',
      (c) => {
        c.params['linear_1.weight'].data = c.params['linear_1.weight'].data.slice(0, -1);
        return c;
      },
      'params/linear_1.weight/data: not base64 (length 43 is not a multiple of 4)',
    ],
    [
      'too few bytes',
      (c) => {
        // 4 float32 = 16 bytes; 12 bytes are valid base64 but one element short.
        c.params['linear_1.bias'].data = Buffer.from(c.params['linear_1.bias'].data, 'base64').subarray(0, 12).toString('base64');
        return c;
      },
      'params/linear_1.bias/data: expected 16 bytes (4 float32), got 12',
    ],
    [
      'invalid spec',
      (c) => {
        c.spec.layers[0].outFeatures = 0;
        return c;
      },
      'spec/layers/0/outFeatures must be >= 1',
    ],
    [
      // sigmoid is registered, so the registry is not short: the file is wrong
      'a registered op that is no loss as the loss',
      (c) => {
        c.spec.loss.op = 'sigmoid';
        return c;
      },
      'spec/loss/op must be one of ["mse"], got "sigmoid"',
    ],
    [
      'spec and parameters of different models',
      (c) => {
        c.spec.layers[0].outFeatures = 3;
        c.spec.layers[2].inFeatures = 3;
        return c;
      },
      'params/linear_1.weight: expected shape [3,2], got [4,2]',
    ],
  ];

  it.each(cases)('%s → CHECKPOINT_INVALID naming the path', (_what, corrupt, line) => {
    const e = catchGradstream(() => fromCheckpoint(corrupt(base()), { registry }));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toContain(line);
  });

  it('a spec naming an op the registry lacks is CHECKPOINT_INVALID naming the op (the registry, not the file, is short), with the path', () => {
    const c = base();
    c.spec.layers[1].op = 'gelu';
    const e = catchGradstream(() => fromCheckpoint(c, { registry }));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.details).toMatchObject({ cause: 'UNKNOWN_OP', ops: ['gelu'] });
    expect(e.message).toContain('spec/layers/1/op must be one of ["linear","mse","sigmoid"], got "gelu"');
  });

  it('reports every parameter problem at once', () => {
    const c = base();
    delete c.params['linear_2.bias'];
    c.params['linear_1.weight'].shape = [2, 4];
    const e = catchGradstream(() => fromCheckpoint(c, { registry }));
    expect(e.message.split('\n').slice(1)).toEqual(['params/linear_1.weight: expected shape [4,2], got [2,4]', 'params/linear_2.bias: missing (the model has float32 [1])']);
  });
});

describe('loadParams', () => {
  it('loads the parameters of a matching checkpoint into an existing model', () => {
    const source = trained();
    const target = build(8);
    const state = loadParams(target, toCheckpoint(source, { step: 7 }));
    expect(bits(target)).toEqual(bits(source));
    expect(state.step).toBe(7);
  });

  it('rejects a checkpoint of another model, naming where the specs differ', () => {
    const target = build(8, 4);
    const e = catchGradstream(() => loadParams(target, toCheckpoint(build(1, 5))));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toContain('spec/layers/0/outFeatures: the model has 4, the checkpoint has 5');
    expect(e.message).toContain('spec/layers/2/inFeatures: the model has 4, the checkpoint has 5');
  });

  it('leaves the model untouched when a later parameter is bad', () => {
    const target = build(8);
    const before = paramBits(target);
    const c = copy(toCheckpoint(trained()));
    // linear_1's parameters are fine and come first; only the last one is broken.
    c.params['linear_2.bias'].data = Buffer.from(Float32Array.from([1e9]).buffer).toString('base64');
    const e = catchGradstream(() => loadParams(target, c));
    expect(e.message).toContain('checksum mismatch');
    expect(paramBits(target)).toEqual(before);
    const shape = copy(toCheckpoint(trained()));
    shape.params['linear_2.weight'].shape = [4, 1];
    expect(catchGradstream(() => loadParams(target, shape)).message).toContain('params/linear_2.weight: expected shape [1,4], got [4,1]');
    expect(paramBits(target)).toEqual(before);
  });
});

describe('parseCheckpoint', () => {
  const text = () => JSON.stringify(toCheckpoint(trained()));

  it('says where text that is not JSON broke', () => {
    const t = text();
    const comma = t.indexOf(',');
    const e = catchGradstream(() => parseCheckpoint(`${t.slice(0, comma)};${t.slice(comma + 1)}`));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toContain(`not JSON at byte ${comma}`);
  });

  it('calls text that ends early truncated', () => {
    const t = text();
    for (const cut of [1, 100, Math.floor(t.length / 2), t.length - 1]) {
      const e = catchGradstream(() => parseCheckpoint(t.slice(0, cut)));
      expect(e.message).toContain(`not JSON (truncated at byte ${cut}?)`);
    }
  });

  it('accepts what toCheckpoint wrote', () => {
    expect(validateCheckpoint(parseCheckpoint(text())).format).toBe('gradstream-checkpoint');
  });
});

describe('checkpoint files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gradstream-ckpt-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('save → load gives bit-identical outputs and the saved state, leaving no temporary file', async () => {
    const model = trained();
    const path = join(dir, 'model.json');
    await saveCheckpoint(model, path, { step: 40, epoch: 2 });
    expect(await readdir(dir)).toEqual(['model.json']);
    const loaded = await loadCheckpoint(path, { registry });
    expect(bits(loaded.model)).toEqual(bits(model));
    expect([loaded.step, loaded.epoch]).toEqual([40, 2]);
  });

  it('replaces an existing checkpoint', async () => {
    const path = join(dir, 'model.json');
    await saveCheckpoint(build(1), path);
    const second = trained();
    await saveCheckpoint(second, path);
    expect(bits((await loadCheckpoint(path, { registry })).model)).toEqual(bits(second));
    expect(await readdir(dir)).toEqual(['model.json']);
  });

  it('keeps the old file and removes the temporary one when the write fails', async () => {
    const path = join(dir, 'model.json');
    await saveCheckpoint(build(1), path);
    const old = await readFile(path);
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    await rm(join(dir, 'probe'));
    // The disk fills up halfway through the write.
    vi.spyOn(proto, 'writeFile').mockImplementationOnce(async function (this: FileHandle, data) {
      await this.write(String(data).slice(0, 100));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    await expect(saveCheckpoint(trained(), path)).rejects.toMatchObject({ code: 'FILE_ERROR', message: `saveCheckpoint ${path}: disk full` });
    expect(await readFile(path)).toEqual(old);
    expect(await readdir(dir)).toEqual(['model.json']);
  });

  it('removes the temporary file when the rename fails', async () => {
    const path = join(dir, 'taken');
    await mkdir(path);
    await writeFile(join(path, 'keep'), 'x');
    await expect(saveCheckpoint(trained(), path)).rejects.toMatchObject({ code: 'FILE_ERROR', message: `saveCheckpoint ${path}: it is a directory` });
    expect((await readdir(dir)).sort()).toEqual(['taken']);
    expect(await readdir(path)).toEqual(['keep']);
  });

  it('names the file and the byte where a truncated file ends', async () => {
    const path = join(dir, 'model.json');
    await saveCheckpoint(trained(), path);
    const size = (await readFile(path)).length;
    const half = Math.floor(size / 2);
    await truncate(path, half);
    const e = await rejection(loadCheckpoint(path, { registry }));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toBe(`${path}: invalid checkpoint: not JSON (truncated at byte ${half}?): the text ends inside a value`);
  });

  it('rejects a file that is not UTF-8 text', async () => {
    const path = join(dir, 'model.json');
    await writeFile(path, Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]));
    const e = await rejection(loadCheckpoint(path, { registry }));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toBe(`${path}: invalid checkpoint: not UTF-8 text`);
  });

  it('rejects a file holding a corrupted parameter, naming the file and the path', async () => {
    const path = join(dir, 'model.json');
    const c = copy(toCheckpoint(trained()));
    c.params['linear_1.weight'].shape = [8, 2];
    await writeFile(path, JSON.stringify(c));
    const e = await rejection(loadCheckpoint(path, { registry }));
    expect(e.message).toContain(`${path}: invalid checkpoint`);
    expect(e.message).toContain('params/linear_1.weight: expected shape [4,2], got [8,2]');
  });

  it('reports a missing file as FILE_ERROR naming it', async () => {
    const path = join(dir, 'nope.json');
    await expect(loadCheckpoint(path, { registry })).rejects.toMatchObject({ code: 'FILE_ERROR', message: `loadCheckpoint ${path}: no such file` });
  });
});
