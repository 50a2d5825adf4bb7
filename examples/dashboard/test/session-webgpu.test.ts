import { loadWebGpuBackend, type WebGpuBackend } from '@gradstream/backend-webgpu';
import { nodeWebGpu } from '@gradstream/backend-webgpu/node';
import type { TypedArray } from '@gradstream/tensor';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Boundary, FromWorker, NetworkSnapshot, RunSettings, Update } from '../src/shared/protocol.js';
import { buildNetwork } from '../src/worker/network.js';
import { Session } from '../src/worker/session.js';
import { runSettings } from './support/run-settings.js';

/* The worker's run on WebGPU, in Node on the SwiftShader adapter vitest's global setup provides
   (test/support/webgpu-env.ts): the same figures as on WebAssembly, read back only when shown. */

const settings = runSettings({ dataset: 'xorCloud', hidden: [6], batchSize: 20, seed: 1 });

let backend: WebGpuBackend;
beforeAll(async () => {
  backend = await loadWebGpuBackend({ gpu: await nodeWebGpu() });
});

const sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
});

interface Recorded {
  readonly session: Session;
  readonly messages: FromWorker[];
  readonly updates: () => Update[];
  readonly losses: () => number[];
}

function record(over: Partial<RunSettings>): Recorded {
  const messages: FromWorker[] = [];
  const session = new Session(1, { ...settings, ...over }, (m) => messages.push(m));
  sessions.push(session);
  const updates = (): Update[] => messages.filter((m): m is Update => m.type === 'update');
  return { session, messages, updates, losses: () => updates().flatMap((u) => Array.from(u.losses)) };
}

/** Steps a paused run `n` times, one batch at a time, and waits for each. */
async function stepThrough(r: Recorded, n: number): Promise<void> {
  r.session.start(true);
  for (let i = 1; i <= n; i++) {
    r.session.step();
    await vi.waitFor(() => expect(r.losses()).toHaveLength(i), { timeout: 5_000 });
  }
}

const latest = <T>(r: Recorded, pick: (u: Update) => T | undefined): T | undefined => r.updates().flatMap((u) => (pick(u) === undefined ? [] : [pick(u) as T])).at(-1);

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tolerance: number): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number)), `at ${i}`).toBeLessThan(tolerance);
};

describe('Session on WebGPU', () => {
  it('builds the run on the GPU, names its adapter and shows the untrained model as WebAssembly does', async () => {
    const gpu = record({ backend: 'webgpu' });
    const m = await gpu.session.prepared();
    if (m.type !== 'prepared') throw new Error(`expected a prepared message, got ${m.type}`);
    expect(gpu.session.model.backend).toBe(backend);
    expect(m.backend).toBe('WebGPU — google swiftshader (software)');
    // The same seed gives the same initial weights on both backends: the same output and unit maps.
    const cpu = await record({ backend: 'wasm' }).session.prepared();
    if (cpu.type !== 'prepared') throw new Error(`expected a prepared message, got ${cpu.type}`);
    expect(cpu.backend).toMatch(/^wasm: /);
    close(m.boundary.values, cpu.boundary.values, 1e-5);
    close(m.boundary.units[0] as Float32Array, cpu.boundary.units[0] as Float32Array, 1e-5);
  });

  it('trains step by step with the losses, boundary, gradients and weights of WebAssembly', async () => {
    const gpu = record({ backend: 'webgpu' });
    const cpu = record({ backend: 'wasm' });
    for (const r of [gpu, cpu]) await stepThrough(r, 6);
    close(gpu.losses(), cpu.losses(), 1e-4);
    // Stepped by hand, every step after the first brings the drawing's gradients and weights.
    const network = (r: Recorded): NetworkSnapshot | undefined => latest(r, (u) => u.network);
    await vi.waitFor(() => expect(network(gpu)?.step).toBe(6));
    await vi.waitFor(() => expect(network(cpu)?.step).toBe(6));
    const [g, c] = [network(gpu) as NetworkSnapshot, network(cpu) as NetworkSnapshot];
    for (const k of [0, 1]) {
      close(g.weights[k] as Float32Array, c.weights[k] as Float32Array, 1e-4);
      close(g.weightGrads[k] as Float32Array, c.weightGrads[k] as Float32Array, 1e-4);
      close(g.biasGrads[k] as Float32Array, c.biasGrads[k] as Float32Array, 1e-4);
    }
    // The weights are the trained ones, not the initial ones the host gave the GPU.
    const initial = buildNetwork({ ...settings, backend: 'wasm' }).node('linear_1').params.weight?.data as TypedArray;
    expect(Array.from(g.weights[0] as Float32Array)).not.toEqual(Array.from(initial));
    // Paused, the boundary of the last step still comes, read back from the GPU.
    const boundary = (r: Recorded): Boundary | undefined => latest(r, (u) => u.boundary);
    await vi.waitFor(() => expect(boundary(gpu)?.step).toBe(6));
    await vi.waitFor(() => expect(boundary(cpu)?.step).toBe(6));
    close((boundary(gpu) as Boundary).values, (boundary(cpu) as Boundary).values, 1e-4);
  });

  it('computes the penalties, regression and an op with state as WebAssembly does', async () => {
    const cases: Partial<RunSettings>[] = [
      { regularization: 'l1', regularizationRate: 0.05 },
      { regularization: 'l2', regularizationRate: 0.5 },
      { problem: 'regression', dataset: 'plane' },
      // Moving statistics: state the CPU copy of the maps must be given too. (With SGD: the bias
      // before a batch norm gets a gradient of rounding noise only, which Adam would turn into
      // full steps, different on each backend.)
      { activation: 'batchNorm', optimizer: 'sgd', lr: 0.1 },
    ];
    for (const over of cases) {
      const [gpu, cpu] = [record({ ...over, backend: 'webgpu' }), record({ ...over, backend: 'wasm' })];
      for (const r of [gpu, cpu]) await stepThrough(r, 4);
      close(gpu.losses(), cpu.losses(), 1e-4);
      const boundary = (r: Recorded): Boundary | undefined => latest(r, (u) => u.boundary);
      for (const r of [gpu, cpu]) await vi.waitFor(() => expect(boundary(r)?.step).toBe(4));
      close((boundary(gpu) as Boundary).values, (boundary(cpu) as Boundary).values, 1e-4);
    }
    // The penalties change the steps: the same run without one takes other ones.
    const [plain, l2] = [record({ backend: 'webgpu' }), record({ backend: 'webgpu', regularization: 'l2', regularizationRate: 0.5 })];
    for (const r of [plain, l2]) await stepThrough(r, 3);
    expect(Math.abs((plain.losses()[2] as number) - (l2.losses()[2] as number))).toBeGreaterThan(1e-4);
  });

  it('reads back one buffer per step, and weights, maps and the test loss only as often as they are shown', async () => {
    const r = record({ backend: 'webgpu' });
    const params = new Set<TypedArray>(r.session.model.parameters().map((p) => p.value.data));
    const reads: { readonly params: boolean }[] = [];
    const download = backend.sync.download;
    backend.sync.download = (arrays) => {
      reads.push({ params: arrays.some((a) => params.has(a)) });
      return download(arrays);
    };
    try {
      r.session.setSpeed(null);
      r.session.start(false);
      await vi.waitFor(() => expect(r.losses().length).toBeGreaterThan(150), { timeout: 30_000 });
      r.session.pause();
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      backend.sync.download = download;
    }
    const updates = r.updates();
    const steps = r.losses().length;
    const epochs = updates.filter((u) => u.testSteps.length > 0).flatMap((u) => Array.from(u.testSteps)).length;
    const boundaries = updates.filter((u) => u.boundary !== undefined).length;
    const snapshots = updates.filter((u) => u.network !== undefined).length;
    // A test loss after every epoch (200 training points / 20), from fit's validation on the GPU.
    expect(epochs).toBeGreaterThanOrEqual(Math.floor(steps / 10) - 1);
    expect(updates.flatMap((u) => Array.from(u.testLosses)).every((l) => Number.isFinite(l) && l > 0)).toBe(true);
    // The steps' own reads (loss, checks, predictions; gradients and signals ride along when
    // sampled), one validation per epoch, and the parameters per boundary and per weight sample.
    expect(reads.length).toBeLessThanOrEqual(steps + epochs + boundaries + snapshots + 3);
    expect(reads.filter((x) => x.params).length).toBeLessThanOrEqual(boundaries + snapshots + 2);
    expect(boundaries + snapshots).toBeLessThan(steps / 3);
  });

  it('brings the parameters back for an export while the run is paused', async () => {
    const gpu = record({ backend: 'webgpu' });
    const cpu = record({ backend: 'wasm' });
    for (const r of [gpu, cpu]) await stepThrough(r, 3);
    // The host copy holds what was last read back; blanked here, it shows the read.
    const weight = gpu.session.model.node('linear_1').params.weight?.data as TypedArray;
    weight.fill(0);
    await gpu.session.paramsOnHost();
    // What the GPU holds after three updates: what WebAssembly holds.
    close(weight, cpu.session.model.node('linear_1').params.weight?.data as TypedArray, 1e-4);
  });
});
