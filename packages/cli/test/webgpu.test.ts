import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromCheckpoint, fromSpec, toCheckpoint, type Checkpoint, type ModelSpec } from '@gradstream/graph';
import { loadWebGpuBackend, unloadWebGpuBackend } from '@gradstream/backend-webgpu';
import { nodeWebGpu } from '@gradstream/backend-webgpu/node';
import { classReport, classReportAsync, modelOutputs, modelOutputsAsync, predictRows, predictRowsAsync, readPreprocessing } from '../src/index.js';
import { run, tempDir } from './capture.js';
import { csvText, IRIS_SPEC, irisRows } from './iris.js';

// The test setup points this process's Vulkan loader at SwiftShader: correct, slow, so the run is small.
const TRAIN = ['--data', 'iris.csv', '--epochs', '12', '--batch', '8', '--lr', '0.05', '--normalize', 'standard'];

interface EvalJson {
  readonly samples: number;
  readonly loss: number;
  readonly metrics: { readonly accuracy: number };
  readonly confusion: number[][];
}

interface PredictionJson {
  readonly class: number;
  readonly probabilities: number[];
}

const rows = irisRows();
const inputs = rows.map((r) => r.slice(0, 4));
const files = { 'iris.csv': csvText(rows), 'spec.json': IRIS_SPEC };
const checkpointOf = (dir: string, name: string): Checkpoint => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Checkpoint;
const paramsOf = (c: Checkpoint): number[] => fromCheckpoint(c, { backend: 'ts' }).model.parameters().flatMap((p) => Array.from(p.value.data));
const predictions = (stdout: string): PredictionJson[] => stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as PredictionJson);

/** Every value within float32 round-off of the reference, relative to its scale. */
function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-4): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - (expected[i] as number)), `value ${i}: ${v} vs ${expected[i]}`).toBeLessThan(tolerance * Math.max(1, Math.abs(expected[i] as number))));
}

beforeAll(async () => {
  await loadWebGpuBackend({ gpu: await nodeWebGpu() });
});
afterAll(() => unloadWebGpuBackend());

describe('--backend webgpu', () => {
  const t = tempDir(files);
  afterAll(() => t.cleanup());

  it('trains on the GPU, and the checkpoint holds the trained weights: those the same run on ts reaches', async () => {
    const gpu = await run(['train', 'spec.json', ...TRAIN, '--checkpoint', 'gpu.json', '--backend', 'webgpu', '--verbose'], { cwd: t.dir });
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(gpu.stderr).toMatch(/^backend {5}webgpu: WebGPU on /m);
    expect((await run(['train', 'spec.json', ...TRAIN, '--checkpoint', 'cpu.json', '--backend', 'ts'], { cwd: t.dir })).code).toBe(0);

    const [onGpu, onCpu] = [checkpointOf(t.dir, 'gpu.json'), checkpointOf(t.dir, 'cpu.json')];
    // Host copies left as they were would still hold the initial parameters.
    const initial = fromSpec(JSON.parse(IRIS_SPEC) as ModelSpec, { seed: 0, backend: 'ts' }).parameters().flatMap((p) => Array.from(p.value.data));
    expect(paramsOf(onGpu).some((v, i) => Math.abs(v - (initial[i] as number)) > 1e-3)).toBe(true);
    expect(onGpu.epoch).toBe(onCpu.epoch);
    expectClose(paramsOf(onGpu), paramsOf(onCpu), 1e-3);
  });

  it('eval scores the checkpoint as ts does: the same accuracy and confusion matrix, the loss within float32 round-off', async () => {
    const [gpu, cpu] = await Promise.all(['webgpu', 'ts'].map((b) => run(['eval', 'gpu.json', '--data', 'iris.csv', '--json', '--batch', '16', '--backend', b], { cwd: t.dir })));
    expect(gpu?.code, gpu?.stderr).toBe(0);
    const [g, c] = [JSON.parse(gpu?.stdout ?? '') as EvalJson, JSON.parse(cpu?.stdout ?? '') as EvalJson];
    expect(g.samples).toBe(60);
    expect(g.metrics.accuracy).toBe(c.metrics.accuracy);
    expect(g.metrics.accuracy).toBeGreaterThan(0.8);
    expect(g.confusion).toEqual(c.confusion);
    expectClose([g.loss], [c.loss]);
  });

  it('predict gives what the checkpoint loaded on the CPU predicts, on every row', async () => {
    const gpu = await run(['predict', 'gpu.json', '--data', 'iris.csv', '--json', '--batch', '16', '--backend', 'webgpu'], { cwd: t.dir });
    expect(gpu.code, gpu.stderr).toBe(0);
    const cpu = await run(['predict', 'gpu.json', '--data', 'iris.csv', '--json', '--batch', '16', '--backend', 'ts'], { cwd: t.dir });
    const [g, c] = [predictions(gpu.stdout), predictions(cpu.stdout)];
    expect(g).toHaveLength(60);
    expect(g.map((p) => p.class)).toEqual(c.map((p) => p.class));
    expectClose(g.flatMap((p) => p.probabilities), c.flatMap((p) => p.probabilities));

    // The file itself, loaded on the CPU outside the command line, with its --normalize statistics.
    const checkpoint = checkpointOf(t.dir, 'gpu.json');
    const { model } = fromCheckpoint(checkpoint, { backend: 'ts' });
    const own = predictRows(model, inputs, { preprocessing: readPreprocessing(checkpoint.meta, 'gpu.json', 4) });
    expect(g.map((p) => p.class)).toEqual(own.map((p) => ('class' in p ? p.class : -1)));
    expectClose(g.flatMap((p) => p.probabilities), own.flatMap((p) => ('class' in p ? p.probabilities : [])));
  });
});

describe('the programmatic pieces on WebGPU', () => {
  const checkpoint = (): Checkpoint => toCheckpoint(fromSpec(JSON.parse(IRIS_SPEC) as ModelSpec, { seed: 3, backend: 'ts' }));

  it('the async forms read the outputs back; the sync ones refuse with INVALID_USAGE rather than give stale numbers', async () => {
    const c = checkpoint();
    const cpu = fromCheckpoint(c, { backend: 'ts' }).model;
    const gpu = fromCheckpoint(c, { backend: 'webgpu' }).model;
    const onehot = rows.map((r) => [0, 1, 2].map((k) => (k === r[4] ? 1 : 0)));
    // Batches of 7 leave a short last one: a second plan.
    expectClose(Array.from(await modelOutputsAsync(gpu, inputs, 7)), Array.from(modelOutputs(cpu, inputs, 7)));
    expect((await predictRowsAsync(gpu, inputs, { batch: 7 })).map((p) => ('class' in p ? p.class : -1))).toEqual(predictRows(cpu, inputs).map((p) => ('class' in p ? p.class : -1)));
    expect((await classReportAsync(gpu, inputs, onehot, 7))?.matrix).toEqual(classReport(cpu, inputs, onehot)?.matrix);
    for (const sync of [() => modelOutputs(gpu, inputs), () => predictRows(gpu, inputs), () => classReport(gpu, inputs, onehot)]) {
      expect(sync).toThrow(expect.objectContaining({ code: 'INVALID_USAGE', message: expect.stringMatching(/modelOutputsAsync/) }));
    }
  });
});
