/**
 * `gradstream export` and `gradstream import`: a trained checkpoint written as ONNX runs in
 * onnxruntime-node and gives the checkpoint's predictions (within 1e-5 of the output scale); read
 * back, it gives them bit for bit. Plugin ops export through their `toOnnx`, or name themselves in
 * an `UNSUPPORTED_EXPORT` error; a file that is not ONNX is an `UNSUPPORTED_IMPORT` error.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, defaultRegistry, defineOp, fromCheckpoint, toSpec, type Checkpoint, type Model, type Registry } from '@gradstream/graph';
import { GradstreamError } from '@gradstream/tensor';
import { evaluate } from '@gradstream/trainer';
import { exitCodeOf } from '../src/exit-codes.js';
import { run, tempDir } from './capture.js';
import { csvText, IRIS_SPEC, irisRows } from './iris.js';

const TRAIN = ['--epochs', '5', '--batch', '8', '--optimizer', 'adam', '--lr', '0.05', '--seed', '1'];

// x³ as a plain op object (a default export array, like plugin.test.ts's): first without an ONNX
// exporter, then with one made of two Mul nodes.
const cube = (toOnnx: string): string => `export default [
  {
    name: 'cube',
    inputs: ['x'],
    save: { inputs: ['x'] },
    outputShape: ([x]) => x,
    forward({ inputs: { x }, out }) {
      for (let i = 0; i < out.data.length; i++) out.data[i] = x.data[i] ** 3;
    },
    backward({ dy, saved, dInputs }) {
      if (dInputs.x) for (let i = 0; i < dy.data.length; i++) dInputs.x.data[i] = 3 * saved.inputs.x.data[i] ** 2 * dy.data[i];
    },${toOnnx}
  },
];
`;
const CUBE_ONNX = `
    toOnnx(ctx) {
      const x = ctx.inputs[0];
      const [square] = ctx.node('Mul', [x, x]);
      ctx.node('Mul', [square, x], [ctx.output]);
    },`;
// 4 → linear 3 → cube → linear 3, a classifier like the iris one.
const CUBE_SPEC = JSON.stringify({
  version: 1,
  inputShape: [4],
  layers: [{ op: 'linear', inFeatures: 4, outFeatures: 3 }, { op: 'cube' }, { op: 'linear', inFeatures: 3, outFeatures: 3 }],
  loss: { op: 'softmaxCrossEntropy' },
});

const rows = irisRows();
const inputs = rows.map((r) => r.slice(0, 4));
const oneHot = rows.map((r) => [0, 1, 2].map((k) => (k === r[4] ? 1 : 0)));

let t: ReturnType<typeof tempDir>;

beforeAll(async () => {
  t = tempDir({
    'iris.csv': csvText(rows),
    'spec.json': IRIS_SPEC,
    'cube.json': CUBE_SPEC,
    'cube.mjs': cube(''),
    'cube-onnx.mjs': cube(CUBE_ONNX),
    'notes.txt': 'not a model\n',
  });
  const trained = await run(['train', 'spec.json', '--data', 'iris.csv', ...TRAIN, '--checkpoint', 'best.json'], { cwd: t.dir });
  expect(trained.code, trained.stderr).toBe(0);
});

afterAll(() => t.cleanup());

/** The model a checkpoint file holds, on the TypeScript backend. */
const modelIn = (file: string, registry: Registry = defaultRegistry): Model =>
  fromCheckpoint(JSON.parse(readFileSync(join(t.dir, file), 'utf8')) as Checkpoint, { backend: 'ts', registry }).model;

/** Runs an ONNX file in onnxruntime-node on the iris inputs (and targets); every output's values. */
async function runOrt(file: string, withTargets = false): Promise<{ names: { inputs: readonly string[]; outputs: readonly string[] }; out: Record<string, Float32Array> }> {
  const session = await ort.InferenceSession.create(join(t.dir, file));
  const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', Float32Array.from(inputs.flat()), [inputs.length, 4]) };
  if (withTargets) feeds.y = new ort.Tensor('float32', Float32Array.from(oneHot.flat()), [oneHot.length, 3]);
  const out = await session.run(feeds);
  return {
    names: { inputs: session.inputNames, outputs: session.outputNames },
    out: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array])),
  };
}

/** Each value within 1e-5 of the expected one, relative to the larger of 1 and its magnitude. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as number;
    expect(Math.abs((got[i] as number) - w), `value ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(w)));
  }
}

const exported = (file: string): string => `wrote ${file}: ${statSync(join(t.dir, file)).size.toLocaleString('en-US')} bytes, ONNX opset 17, float32, `;

/** A model's ONNX bytes without gradstream's metadata (ModelProto field 14), as a model made elsewhere would come. */
function withoutMetadata(bytes: Uint8Array): Uint8Array {
  const kept: number[] = [];
  let i = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[i++] as number;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  while (i < bytes.length) {
    const start = i;
    const key = varint();
    const wire = key % 8;
    if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const length = varint();
      i += length;
    } else throw new Error(`wire type ${wire}`);
    if (Math.floor(key / 8) !== 14) kept.push(...bytes.subarray(start, i));
  }
  return Uint8Array.from(kept);
}

describe('gradstream export', () => {
  it("writes an ONNX file that onnxruntime runs, giving the checkpoint's predictions", async () => {
    const r = await run(['export', 'best.json', '--onnx', 'model.onnx'], { cwd: t.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${exported('model.onnx')}input x [batch,4] → output linear_2 [batch,3]\n`);
    // written through a temporary file, renamed: nothing else is left beside it
    expect(readdirSync(t.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const { names, out } = await runOrt('model.onnx');
    expect(names).toEqual({ inputs: ['x'], outputs: ['linear_2'] });
    expectClose(out.linear_2 as Float32Array, modelIn('best.json').predict(inputs).data);
  });

  it('--loss also writes the target y and the loss', async () => {
    const r = await run(['export', 'best.json', '--onnx', 'train.onnx', '--loss'], { cwd: t.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${exported('train.onnx')}inputs x [batch,4], y [batch,3] → outputs linear_2 [batch,3], loss []\n`);
    const { names, out } = await runOrt('train.onnx', true);
    expect(names).toEqual({ inputs: ['x', 'y'], outputs: ['linear_2', 'loss'] });
    const model = modelIn('best.json');
    expectClose(out.loss as Float32Array, [evaluate(model, { x: inputs, y: oneHot }, [], rows.length).loss]);
  });

  it('needs --onnx: a usage error, exit 2', async () => {
    const r = await run(['export', 'best.json'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: required option '--onnx <file>' not specified\n/);
  });

  it("says a checkpoint's rescaled inputs are not part of the ONNX model", async () => {
    const trained = await run(['train', 'spec.json', '--data', 'iris.csv', ...TRAIN, '--normalize', 'standard', '--checkpoint', 'normalized.json'], { cwd: t.dir });
    expect(trained.code).toBe(0);
    const r = await run(['export', 'normalized.json', '--onnx', 'normalized.onnx'], { cwd: t.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote normalized\.onnx: /);
    expect(r.stderr).toBe(
      "warning: normalized.json rescales its inputs (--normalize standard) and the ONNX model does not: rescale them first, with the statistics in the checkpoint's meta.preprocessing\n",
    );
  });

  it('exports plugin ops through their toOnnx with --plugin; one without is UNSUPPORTED_EXPORT, exit 1, and nothing is written', async () => {
    const trained = await run(['train', 'cube.json', '--data', 'iris.csv', '--epochs', '2', '--json', '--checkpoint', 'cube.ckpt.json', '--plugin', './cube.mjs'], { cwd: t.dir });
    expect(trained.code, trained.stderr).toBe(0);

    const refused = await run(['export', 'cube.ckpt.json', '--onnx', 'cube.onnx', '--plugin', './cube.mjs'], { cwd: t.dir });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe('error (UNSUPPORTED_EXPORT): toOnnx: node "cube_1" (cube) has no ONNX exporter (give its plugin a toOnnx)\n');
    expect(existsSync(join(t.dir, 'cube.onnx'))).toBe(false);
    expect(exitCodeOf(new GradstreamError('UNSUPPORTED_EXPORT', 'x'))).toBe(1);

    const r = await run(['export', 'cube.ckpt.json', '--onnx', 'cube.onnx', '--plugin', './cube-onnx.mjs'], { cwd: t.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${exported('cube.onnx')}input x [batch,4] → output linear_2 [batch,3]\n`);
    const registry = createRegistry(defaultRegistry.plugins());
    registry.register(defineOp((await import(join(t.dir, 'cube.mjs'))).default[0]));
    const { out } = await runOrt('cube.onnx');
    expectClose(out.linear_2 as Float32Array, modelIn('cube.ckpt.json', registry).predict(inputs).data);
  });
});

describe('gradstream import', () => {
  it('reads an exported model back into a checkpoint whose predictions are bit-identical', async () => {
    expect((await run(['export', 'best.json', '--onnx', 'back.onnx'], { cwd: t.dir })).code).toBe(0);
    const r = await run(['import', 'back.onnx', '--out', 'back.json'], { cwd: t.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // linear 4→8 (32 + 8), tanh, linear 8→3 (24 + 3)
    expect(r.stdout).toBe('wrote back.json: 3 layers, 67 parameters, loss softmaxCrossEntropy (from back.onnx)\n');
    const original = modelIn('best.json');
    const back = modelIn('back.json');
    expect(toSpec(back)).toEqual(toSpec(original));
    expect(Array.from(back.predict(inputs).data)).toEqual(Array.from(original.predict(inputs).data));
    // and the commands that read checkpoints take it
    const predicted = await run(['predict', 'back.json', '--data', 'iris.csv'], { cwd: t.dir });
    expect(predicted.stdout).toBe((await run(['predict', 'best.json', '--data', 'iris.csv'], { cwd: t.dir })).stdout);
  });

  it('rebuilds an ONNX model made elsewhere from its nodes, with --loss as its loss (default mse)', async () => {
    writeFileSync(join(t.dir, 'foreign.onnx'), withoutMetadata(readFileSync(join(t.dir, 'back.onnx'))));
    const r = await run(['import', 'foreign.onnx', '--out', 'foreign.json', '--loss', 'softmaxCrossEntropy'], { cwd: t.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('wrote foreign.json: 3 layers, 67 parameters, loss softmaxCrossEntropy (from foreign.onnx)\n');
    expect(Array.from(modelIn('foreign.json').predict(inputs).data)).toEqual(Array.from(modelIn('best.json').predict(inputs).data));

    const mse = await run(['import', 'foreign.onnx', '--out', 'foreign-mse.json'], { cwd: t.dir });
    expect(mse.stdout).toBe('wrote foreign-mse.json: 3 layers, 67 parameters, loss mse (from foreign.onnx)\n');
  });

  it('keeps the loss of a model export wrote, saying so when --loss asks for another', async () => {
    const r = await run(['import', 'back.onnx', '--out', 'kept.json', '--loss', 'mse'], { cwd: t.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('wrote kept.json: 3 layers, 67 parameters, loss softmaxCrossEntropy (from back.onnx)\n');
    expect(r.stderr).toBe('warning: back.onnx carries its gradstream spec (it was written by export) and keeps its loss, softmaxCrossEntropy; --loss applies to ONNX models made elsewhere\n');
  });

  it('takes a --loss that is no loss op as a usage error, exit 2', async () => {
    const unknown = await run(['import', 'foreign.onnx', '--out', 'x.json', '--loss', 'nope'], { cwd: t.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error (INVALID_USAGE): --loss nope: loss/op "nope" is not a registered op; load its plugin with --plugin <module>\n');
    const notALoss = await run(['import', 'foreign.onnx', '--out', 'x.json', '--loss', 'relu'], { cwd: t.dir });
    expect(notALoss.code).toBe(2);
    expect(notALoss.stderr).toMatch(/^error \(INVALID_USAGE\): --loss relu: loss\/inputs: op "relu" takes 1 input\(s\)/);
    expect(existsSync(join(t.dir, 'x.json'))).toBe(false);
  });

  it('refuses a file that is not ONNX with UNSUPPORTED_IMPORT, exit 1, and writes nothing', async () => {
    for (const file of ['notes.txt', 'spec.json']) {
      const r = await run(['import', file, '--out', 'x.json'], { cwd: t.dir });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error \(UNSUPPORTED_IMPORT\): fromOnnx: (not an ONNX model \(|the model has no graph; supported: Gemm, )/);
    }
    expect(existsSync(join(t.dir, 'x.json'))).toBe(false);
    expect(exitCodeOf(new GradstreamError('UNSUPPORTED_IMPORT', 'x'))).toBe(1);
  });

  it('needs --out, and a file that exists', async () => {
    const noOut = await run(['import', 'back.onnx'], { cwd: t.dir });
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/^error: required option '--out <file>' not specified\n/);
    const missing = await run(['import', 'missing.onnx', '--out', 'x.json'], { cwd: t.dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`error (FILE_ERROR): import ${join(t.dir, 'missing.onnx')}: no such file\n`);
  });

  it('both commands list --plugin in their help', async () => {
    for (const command of ['export', 'import']) {
      const { code, stdout } = await run([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/--plugin <module>\s+load op plugins from this module/);
    }
  });
});
