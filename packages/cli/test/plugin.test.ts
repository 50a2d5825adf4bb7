import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, defaultRegistry, type AnyOpPlugin } from '@gradstream/graph';
import { loadCheckpoint } from '@gradstream/graph/node';
import { builtinOps } from '@gradstream/ops';
import { hintMissingPlugins } from '../src/plugins.js';
import { run } from './capture.js';

// Plugin modules live inside the repository (the folder is git-ignored), so their bare imports of
// @gradstream/graph resolve as a user's would from a project that depends on it.
const TMP = fileURLToPath(new URL('./.tmp-plugins/', import.meta.url));

// The learnable-scale swish of examples/custom-layer, as a plain ES module: y = x·σ(β·x), one β per feature.
const SWISH = `import { defineOp, expectRows } from '@gradstream/graph';

export const swishOp = defineOp({
  name: 'swish',
  description: 'learnable-scale swish y = x·σ(β·x), one β per feature',
  paramsSchema: { type: 'object', properties: { features: { type: 'integer', minimum: 1 } }, required: ['features'], additionalProperties: false },
  inputs: ['x'],
  save: { inputs: ['x'] },
  params: (c) => ({ beta: { shape: [c.features], init: { type: 'constant', value: 1 }, fanIn: c.features, fanOut: c.features } }),
  outputShape: ([x], c) => [expectRows('x', x, c.features), c.features],
  scratch: ([x]) => ({ gate: x }),
  forward({ inputs: { x }, params: { beta }, scratch, out, config: { features } }) {
    const s = scratch.gate.data;
    for (let i = 0; i < out.data.length; i++) {
      s[i] = 1 / (1 + Math.exp(-beta.data[i % features] * x.data[i]));
      out.data[i] = x.data[i] * s[i];
    }
  },
  backward({ dy, saved, params: { beta }, scratch, dInputs, dParams, config: { features } }) {
    const xs = saved.inputs.x.data;
    const s = scratch.gate.data;
    for (let j = 0; j < features; j++) {
      let sum = 0;
      for (let i = j; i < xs.length; i += features) {
        const slope = s[i] * (1 - s[i]);
        sum += dy.data[i] * xs[i] * xs[i] * slope;
        if (dInputs.x) dInputs.x.data[i] = dy.data[i] * (s[i] + beta.data[j] * xs[i] * slope);
      }
      dParams.beta.data[j] = sum;
    }
  },
});

export const swish = (config) => ({ op: swishOp.name, ...config });
export const ops = [swishOp];
`;

// A default export array holding a plain object: no defineOp, no paramsSchema, no imports.
const CUBE = `export default [
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
    },
  },
];
`;

// A composite whose second part is the swish of another module.
const BLOCK = `import { defineComposite } from '@gradstream/graph';

export const swishBlock = defineComposite({
  name: 'swishBlock',
  paramsSchema: { type: 'object', properties: { inFeatures: { type: 'integer' }, outFeatures: { type: 'integer' } }, required: ['inFeatures', 'outFeatures'] },
  layers: (c) => [{ op: 'linear', inFeatures: c.inFeatures, outFeatures: c.outFeatures }, { op: 'swish', features: c.outFeatures }],
});
`;

const spec = (layers: unknown[]): string => JSON.stringify({ version: 1, inputShape: [2], layers, loss: { op: 'mse' } });
const HINT = 'is not a registered op; load its plugin with --plugin <module>';
const XOR = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] };

let dir = '';

beforeAll(() => {
  mkdirSync(TMP, { recursive: true });
  dir = mkdtempSync(join(TMP, 'run-'));
  const files: Record<string, string> = {
    'swish.mjs': SWISH,
    'cube.mjs': CUBE,
    'block.mjs': BLOCK,
    'empty.mjs': 'export const answer = 42;\nexport function helper() {}\n',
    'broken.mjs': "throw new Error('boom while importing');\n",
    'clash.mjs': "export const myLinear = { name: 'linear', inputs: ['x'], save: {}, outputShape: ([x]) => x, forward() {}, backward() {} };\n",
    // linear 2→4 (8 weights + 4 biases), swish (4 β), linear 4→1 (4 + 1): 21 parameters
    'swish.json': spec([{ op: 'linear', inFeatures: 2, outFeatures: 4 }, { op: 'swish', features: 4 }, { op: 'linear', inFeatures: 4, outFeatures: 1 }]),
    // linear 2→3 (6 + 3), cube, linear 3→1 (3 + 1): 13 parameters
    'cube.json': spec([{ op: 'linear', inFeatures: 2, outFeatures: 3 }, { op: 'cube' }, { op: 'linear', inFeatures: 3, outFeatures: 1 }]),
    // swishBlock 2→4 (8 + 4, then 4 β), linear 4→1 (4 + 1): 21 parameters
    'block.json': spec([{ op: 'swishBlock', inFeatures: 2, outFeatures: 4 }, { op: 'linear', inFeatures: 4, outFeatures: 1 }]),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('gradstream --plugin', () => {
  it('validates a spec using a plugin op once the plugin is loaded, before or after the command', async () => {
    const after = await run(['validate', 'swish.json', '--plugin', './swish.mjs'], { cwd: dir });
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    expect(after.stdout).toBe('valid: 3 layers, 21 parameters (84 B; to train at batch size 1: 276 B, 32: 3.3 KiB, 256: 25 KiB)\n');
    const before = await run(['--plugin', './swish.mjs', 'validate', 'swish.json'], { cwd: dir });
    expect([before.code, before.stdout]).toEqual([0, 'valid: 3 layers, 21 parameters (84 B; to train at batch size 1: 276 B, 32: 3.3 KiB, 256: 25 KiB)\n']);
    // a path without ./ that names a file, and the same module twice
    const twice = await run(['validate', 'swish.json', '--plugin', 'swish.mjs', '--plugin', join(dir, 'swish.mjs')], { cwd: dir });
    expect([twice.code, twice.stdout]).toEqual([0, 'valid: 3 layers, 21 parameters (84 B; to train at batch size 1: 276 B, 32: 3.3 KiB, 256: 25 KiB)\n']);
  });

  it('says which op needs a --plugin when it is not loaded', async () => {
    const { code, stdout, stderr } = await run(['validate', 'swish.json'], { cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`swish.json: invalid model spec, 1 problem(s):\nlayers/1/op "swish" ${HINT}\n`);
    const graph = await run(['graph', 'swish.json'], { cwd: dir });
    expect(graph.code).toBe(1);
    expect(graph.stderr).toBe(`error (INVALID_SPEC): invalid model spec:\nlayers/1/op "swish" ${HINT}\n`);
  });

  it('takes a default export array of plain op objects', async () => {
    const { code, stdout } = await run(['validate', 'cube.json', '--plugin', './cube.mjs'], { cwd: dir });
    expect([code, stdout]).toEqual([0, 'valid: 3 layers, 13 parameters (52 B; to train at batch size 1: 180 B, 32: 2.2 KiB, 256: 17 KiB)\n']);
    // the cube is x³: explain's forward pass shows it for one sample
    const explain = await run(['explain', 'cube.json', '--x', '1,0', '--y', '1', '--plugin', './cube.mjs'], { cwd: dir });
    expect(explain.code).toBe(0);
    const linear = /linear_1 = linear\(x\)\s+\[(.*?)\]/.exec(explain.stdout)?.[1]?.split(', ').map(Number);
    const cube = /cube_1 = cube\(linear_1\)\s+\[(.*?)\]/.exec(explain.stdout)?.[1]?.split(', ').map(Number);
    expect(linear).toHaveLength(3);
    expect(cube).toHaveLength(3);
    cube?.forEach((c, i) => expect(c).toBeCloseTo((linear?.[i] as number) ** 3, 3));
  });

  it('takes composites, whose parts may come from another plugin', async () => {
    const both = await run(['validate', 'block.json', '--plugin', './swish.mjs', '--plugin', './block.mjs'], { cwd: dir });
    expect([both.code, both.stdout]).toEqual([0, 'valid: 2 layers, 21 parameters (84 B; to train at batch size 1: 276 B, 32: 3.3 KiB, 256: 25 KiB)\n']);
    const alone = await run(['validate', 'block.json', '--plugin', './block.mjs'], { cwd: dir });
    expect(alone.code).toBe(1);
    expect(alone.stderr).toBe(`block.json: invalid model:\nlayers/0(swishBlock).layers/1/op "swish" ${HINT}\n`);
  });

  it('trains a spec using a plugin op and writes a checkpoint that eval reads with the plugin', async () => {
    const train = await run(
      ['train', 'swish.json', '--data', 'builtin:xor', '--epochs', '200', '--batch', '4', '--seed', '1', '--json', '--checkpoint', 'swish.ckpt.json', '--plugin', './swish.mjs'],
      { cwd: dir },
    );
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    const events = train.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; loss?: number; reason?: string });
    const losses = events.filter((e) => e.type === 'epoch').map((e) => e.loss as number);
    expect(losses).toHaveLength(200);
    expect(losses[199]).toBeLessThan((losses[0] as number) / 2);
    expect(events[events.length - 1]).toMatchObject({ type: 'end', reason: 'completed' });

    const file = join(dir, 'swish.ckpt.json');
    expect(existsSync(file)).toBe(true);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { spec: { layers: { op: string }[] }; params: Record<string, { shape: number[]; data: string }> };
    expect(saved.spec.layers.map((l) => l.op)).toEqual(['linear', 'swish', 'linear']);
    const beta = saved.params['swish_1.beta'];
    expect(beta?.shape).toEqual([4]);
    const bytes = Buffer.from(beta?.data ?? '', 'base64');
    const betas = [...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)];
    expect(betas).toHaveLength(4);
    expect(betas.some((b) => Math.abs(b - 1) > 1e-3)).toBe(true); // trained away from its initial 1

    // eval's mse is the checkpoint's model's, computed here with a registry holding the same op
    const { swishOp } = (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'swish.mjs')).href)) as { swishOp: AnyOpPlugin };
    const { model } = await loadCheckpoint(file, { registry: createRegistry([...builtinOps, swishOp]) });
    const predictions = model.predict(XOR.x).toArray() as number[][];
    const mse = predictions.reduce((s, [p], i) => s + ((p as number) - (XOR.y[i] as number)) ** 2, 0) / 4;
    const evaluated = await run(['eval', 'swish.ckpt.json', '--data', 'builtin:xor', '--json', '--plugin', './swish.mjs'], { cwd: dir });
    expect(evaluated.code).toBe(0);
    const result = JSON.parse(evaluated.stdout) as { samples: number; loss: number; metrics: { mse: number } };
    expect(result.samples).toBe(4);
    expect(result.metrics.mse).toBeCloseTo(mse, 6);

    // predict reads it the same way: one prediction per row, the model's own
    const predicted = await run(['predict', 'swish.ckpt.json', '--data', 'builtin:xor', '--plugin', './swish.mjs'], { cwd: dir });
    expect(predicted.code).toBe(0);
    const [header, ...rows] = predicted.stdout.trim().split('\n');
    expect(header).toBe('prediction');
    expect(rows.map(Number)).toHaveLength(4);
    rows.forEach((r, i) => expect(Number(r)).toBeCloseTo(predictions[i]?.[0] as number, 5));
    const unloaded = await run(['predict', 'swish.ckpt.json', '--data', 'builtin:xor'], { cwd: dir });
    expect(unloaded.code).toBe(1);
    expect(unloaded.stderr).toContain(`spec/layers/1/op "swish" ${HINT}`);
  });

  it('says which op needs a --plugin when eval reads a checkpoint without it', async () => {
    const file = join(dir, 'swish.ckpt.json');
    if (!existsSync(file)) {
      await run(['train', 'swish.json', '--data', 'builtin:xor', '--epochs', '2', '--json', '--checkpoint', 'swish.ckpt.json', '--plugin', './swish.mjs'], { cwd: dir });
    }
    const { code, stdout, stderr } = await run(['eval', 'swish.ckpt.json', '--data', 'builtin:xor'], { cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`error (CHECKPOINT_INVALID): ${file}: invalid checkpoint: its spec names ops this registry does not hold:\nspec/layers/1/op "swish" ${HINT}\n`);
  });

  it('exits 2 naming the module when it cannot be loaded or exports no plugin', async () => {
    const missing = await run(['validate', 'swish.json', '--plugin', './nope.mjs'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error (INVALID_USAGE): --plugin ./nope.mjs: cannot load ${join(dir, 'nope.mjs')}: no such file\n`);
    const empty = await run(['graph', 'swish.json', '--plugin', './empty.mjs'], { cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^error \(INVALID_USAGE\): --plugin \.\/empty\.mjs: exports no op plugin \(its exports: answer, helper\); export the ops/);
    const broken = await run(['train', 'swish.json', '--data', 'builtin:xor', '--plugin', './broken.mjs'], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error \(INVALID_USAGE\): --plugin \.\/broken\.mjs: cannot load it: boom while importing\n/);
    const pkg = await run(['explain', '--plugin', 'gradstream-no-such-plugin'], { cwd: dir });
    expect(pkg.code).toBe(2);
    expect(pkg.stderr).toContain('--plugin gradstream-no-such-plugin: cannot find the package "gradstream-no-such-plugin"');
    const noValue = await run(['validate', 'swish.json', '--plugin'], { cwd: dir });
    expect(noValue.code).toBe(2);
  });

  it('refuses a plugin op named like a built-in one', async () => {
    const { code, stderr } = await run(['validate', 'swish.json', '--plugin', './swish.mjs', '--plugin', './clash.mjs'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toBe('error (DUPLICATE_OP): --plugin ./clash.mjs: op "linear" is already registered (a built-in op); op names must be unique\n');
  });

  it('is listed in the help of every command', async () => {
    for (const command of ['train', 'validate', 'explain', 'eval', 'predict', 'graph']) {
      const { code, stdout } = await run([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/--plugin <module>\s+load op plugins from this module/);
    }
  });
});

describe('hintMissingPlugins', () => {
  it('rewrites unknown ops, leaving misspellings and registered ops where they may not stand', () => {
    expect(hintMissingPlugins('spec: layers/0/op: unknown op "swish"; registered ops: add, linear', defaultRegistry)).toBe(`spec: layers/0/op "swish" ${HINT}`);
    const typo = 'layers/1/op must be one of ["linear","tanh"], got "tanhh" (did you mean "tanh"?)';
    expect(hintMissingPlugins(typo, defaultRegistry)).toBe(typo);
    const loss = 'loss/op must be one of ["mse","softmaxCrossEntropy"], got "relu"';
    expect(hintMissingPlugins(loss, defaultRegistry)).toBe(loss);
  });
});
