import { lastValueFrom, tap, toArray } from 'rxjs';
import { sequential, type Model } from '@gradstream/graph';
import { dense, embedding, gru, linear, mse, relu, sigmoid, softmaxCrossEntropy } from '@gradstream/ops';
import { Rng } from '@gradstream/tensor';
import { adam, evaluateAsync, fit, sgd, type TrainEvent } from '@gradstream/trainer';
import { digits } from '@gradstream/datasets/digits';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebGpuBackend, loadWebGpuBackend, requestWebGpu, type WebGpuBackend } from '@gradstream/backend-webgpu';
import { nodeWebGpu } from '@gradstream/backend-webgpu/node';
import { gc } from './support/gc.js';

let backend: WebGpuBackend;
beforeAll(async () => {
  backend = await loadWebGpuBackend({ gpu: await nodeWebGpu() });
});

/** Full collections, with turns of the event loop between them for the finalizers to run. */
async function collected(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

const xor = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] };
const xorModel = (b: 'ts' | 'webgpu'): Model =>
  sequential([linear({ inFeatures: 2, outFeatures: 8 }), sigmoid(), linear({ inFeatures: 8, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1, backend: b });

describe('training on WebGPU', () => {
  it("is chosen by backend: 'webgpu' once loaded, and names its adapter", () => {
    const model = xorModel('webgpu');
    expect(model.backend).toBe(backend);
    expect(backend.adapter.architecture).toBe('swiftshader');
    expect(backend.description).toMatch(/^WebGPU on google swiftshader/);
  });

  it('learns XOR with the same losses, step for step, as the TypeScript backend', async () => {
    const losses = async (b: 'ts' | 'webgpu'): Promise<number[]> => {
      const events = await lastValueFrom(fit(xorModel(b), xor, { epochs: 500, batchSize: 4, optimizer: sgd({ lr: 0.5 }), seed: 1 }).pipe(toArray()));
      return events.flatMap((e: TrainEvent) => (e.type === 'batch' ? [e.loss] : []));
    };
    const [cpu, gpu] = [await losses('ts'), await losses('webgpu')];
    expect(gpu).toHaveLength(500);
    for (let i = 0; i < 500; i++) expect(Math.abs((gpu[i] as number) - (cpu[i] as number)), `step ${i + 1}`).toBeLessThan(1e-4 * Math.max(1, cpu[i] as number) + 1e-6);
    // The README's XOR run prints 2.49e-2 at epoch 500.
    expect(gpu[499]).toBeLessThan(0.03);
  });

  it('brings the parameters back when the run ends: predictAsync, and predict refuses with a typed error', async () => {
    const model = xorModel('webgpu');
    const end = await lastValueFrom(fit(model, xor, { epochs: 2000, batchSize: 4, optimizer: sgd({ lr: 0.5 }), seed: 1 }));
    expect(end).toMatchObject({ type: 'end', reason: 'completed', steps: 2000 });
    const p = await model.predictAsync(xor.x);
    expect(Array.from(p.data).map((v) => Math.round(v))).toEqual([0, 1, 1, 0]);
    expect(() => model.predict(xor.x)).toThrow(expect.objectContaining({ code: 'INVALID_USAGE' }));
  });

  it('reads back one buffer per step (the loss with the checks), and the parameters only when asked', async () => {
    const model = xorModel('webgpu');
    const before = backend.sync.downloads;
    const events = await lastValueFrom(fit(model, xor, { epochs: 50, batchSize: 2, optimizer: adam({ lr: 0.05 }), seed: 1 }).pipe(toArray()));
    const steps = events.filter((e) => e.type === 'batch').length;
    expect(steps).toBe(100);
    // One map per step, plus one at the end that brings the model back to the host.
    expect(backend.sync.downloads - before).toBe(steps + 1);
    const withParams = backend.sync.downloads;
    const every = await lastValueFrom(fit(model, xor, { epochs: 10, batchSize: 2, optimizer: adam({ lr: 0.05 }), seed: 1, params: 5 }).pipe(toArray()));
    expect(every.filter((e) => e.type === 'params')).toHaveLength(4);
    expect(backend.sync.downloads - withParams).toBe(20 + 4 + 1);
  });

  it('keeps GPU memory flat over 10,000 steps: no buffer created after the first steps, none left behind', async () => {
    const model = xorModel('webgpu');
    const seen = new Map<number, { created: number; bytes: number }>();
    await lastValueFrom(
      fit(model, xor, { epochs: 10_000, batchSize: 4, optimizer: adam({ lr: 0.01 }), seed: 1 }).pipe(
        tap((e) => {
          if (e.type === 'epoch' && (e.step === 100 || e.step === 10_000)) seen.set(e.step, backend.memory());
        }),
      ),
    );
    const early = seen.get(100);
    const late = seen.get(10_000);
    expect(early?.created).toBeGreaterThan(0);
    expect(late?.created).toBe(early?.created);
    // Models of earlier tests may be collected meanwhile (their buffers freed): never more bytes.
    expect(late?.bytes).toBeLessThanOrEqual(early?.bytes as number);
  }, 120_000);

  it('gives a model\'s GPU buffers back when it is released, and a run\'s and a dropped model\'s when they are collected', async () => {
    // Models of earlier tests are collected first, so that what is counted is this test's.
    await collected();
    const before = backend.memory().arrays;
    const model = xorModel('webgpu');
    await lastValueFrom(fit(model, xor, { epochs: 20, batchSize: 4, optimizer: adam({ lr: 0.01 }), seed: 1 }));
    expect(backend.memory().arrays).toBeGreaterThan(before);
    model.release();
    // What is left is the run's optimizer slots, given back once the optimizer is collected.
    await collected();
    expect(backend.memory().arrays).toBe(before);
    // A model nobody releases: dropped, then collected.
    await (async () => {
      await lastValueFrom(fit(xorModel('webgpu'), xor, { epochs: 20, batchSize: 4, optimizer: adam({ lr: 0.01 }), seed: 1 }));
    })();
    await collected();
    expect(backend.memory().arrays).toBe(before);
  });

  it('ends a run with a typed DEVICE_LOST error on the stream when the device is lost mid-run, not with a hang', async () => {
    const own = createWebGpuBackend(await requestWebGpu({ gpu: await nodeWebGpu() }));
    const model = sequential([linear({ inFeatures: 2, outFeatures: 8 }), sigmoid(), linear({ inFeatures: 8, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1, backend: own });
    const run$ = fit(model, xor, { epochs: 100_000, batchSize: 4, optimizer: sgd({ lr: 0.5 }), seed: 1 }).pipe(
      tap((e) => {
        if (e.type === 'batch' && e.step === 20) own.device.destroy();
      }),
    );
    await expect(lastValueFrom(run$)).rejects.toMatchObject({ code: 'DEVICE_LOST' });
  });

  it('refuses a buffer larger than the device binds with a typed TOO_LARGE error naming the sizes', () => {
    const max = backend.device.limits.maxStorageBufferBindingSize;
    expect(() => backend.allocate('float32', max / 4 + 1)).toThrow(expect.objectContaining({ code: 'TOO_LARGE', details: expect.objectContaining({ maxBytes: max }) }));
  });

  it('trains a recurrent net (embedding, GRU, dense) to what the CPU reaches, and a bad token id ends the run with the CPU\'s typed error', async () => {
    const rng = Rng.fromSeed(1);
    const x: number[][] = [];
    const y: number[][] = [];
    for (let i = 0; i < 300; i++) {
      const ids = [rng.int(4), rng.int(4), rng.int(4), rng.int(4)];
      x.push(ids);
      y.push([0, 1, 2, 3].map((c) => (c === ids[0] ? 1 : 0)));
    }
    const train = async (b: 'ts' | 'webgpu', data: { x: number[][]; y: number[][] }) => {
      const model = sequential([embedding({ vocabSize: 4, dim: 8 }), gru({ units: 16 }), dense({ outFeatures: 4 })], { inputShape: [4], loss: softmaxCrossEntropy(), seed: 2, backend: b });
      const end = await lastValueFrom(fit(model, data, { epochs: 30, batchSize: 30, optimizer: adam({ lr: 0.02 }), seed: 2 }));
      return { model, end };
    };
    const cpu = await train('ts', { x, y });
    const gpu = await train('webgpu', { x, y });
    expect(gpu.end).toMatchObject({ type: 'end', reason: 'completed' });
    const accuracy = async (m: Model) => (await evaluateAsync(m, { x, y }, ['accuracy'])).metrics.accuracy as number;
    expect(await accuracy(gpu.model)).toBeGreaterThan(0.95);
    expect(Math.abs((gpu.end.type === 'end' ? gpu.end.loss : NaN) - (cpu.end.type === 'end' ? cpu.end.loss : NaN))).toBeLessThan(1e-3);
    const bad = { x: x.map((row, i) => (i === 37 ? [row[0] as number, 9, 0, 0] : row)), y };
    const cpuError = await train('ts', bad).catch((e: unknown) => e);
    const gpuError = await train('webgpu', bad).catch((e: unknown) => e);
    expect(cpuError).toMatchObject({ code: 'INVALID_DATA' });
    expect(gpuError).toMatchObject({ code: 'INVALID_DATA', message: (cpuError as Error).message });
  });

  it('trains the digits MLP to the held-out accuracy the CPU reaches (within 0.5 points)', async () => {
    const { train, test } = digits({ train: 2000, test: 1000 });
    const accuracy = async (b: 'ts' | 'webgpu'): Promise<number> => {
      const model = sequential([linear({ inFeatures: 784, outFeatures: 64 }), relu(), linear({ inFeatures: 64, outFeatures: 10 })], {
        inputShape: [784],
        loss: softmaxCrossEntropy(),
        seed: 3,
        backend: b,
      });
      await lastValueFrom(fit(model, train, { epochs: 4, batchSize: 64, optimizer: adam({ lr: 0.003 }), seed: 3 }));
      return (await evaluateAsync(model, test, ['accuracy'])).metrics.accuracy as number;
    };
    const cpu = await accuracy('ts');
    const gpu = await accuracy('webgpu');
    expect(cpu).toBeGreaterThan(0.85);
    expect(Math.abs(gpu - cpu)).toBeLessThanOrEqual(0.005);
  }, 300_000);
});
