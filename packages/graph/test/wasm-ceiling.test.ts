import os from 'node:os';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dense, linear, mse } from '@gradstream/ops';
import { tsBackend } from '@gradstream/tensor';
import { defaultMemoryLimit, fromSpec, sequential, type ModelSpec } from '../src/index.js';
import { checkMemoryCeiling } from '../src/model/memory.js';
import { catchGradstream } from '../../../test/support/errors.js';

const GiB = 2 ** 30;

/** A machine of 64 GiB: the default memory limit is then 16 GiB, four times what wasm32 addresses. */
function machineOf64GiB(): void {
  vi.spyOn(os, 'totalmem').mockReturnValue(64 * GiB);
  vi.spyOn(process, 'constrainedMemory').mockReturnValue(0);
}

/** Runs `fn`, which must throw a GradstreamError, and how long it took. */
function refused(fn: () => unknown): { error: ReturnType<typeof catchGradstream>; ms: number } {
  const t0 = performance.now();
  const error = catchGradstream(fn);
  return { error, ms: performance.now() - t0 };
}

// linear 32768 → 32768: a weight of 2³⁰ float32 values, 4 GiB, and a bias of 128 KiB.
const wide: ModelSpec = { version: 1, inputShape: [32768], layers: [{ op: 'linear', inFeatures: 32768, outFeatures: 32768 }], loss: { op: 'mse' } };
const WIDE_BYTES = 4 * 2 ** 30 + 4 * 32768;

afterEach(() => {
  vi.restoreAllMocks();
});

beforeAll(() => {
  // The wasm runtime and the spec schema's validator are made once per process; the timings below are the refusals'.
  fromSpec({ version: 1, inputShape: [1], layers: [{ op: 'linear', inFeatures: 1, outFeatures: 1 }], loss: { op: 'mse' } }, { backend: 'wasm', threads: 1 });
});

describe("the wasm backend's 4 GiB", () => {
  it('a model within the default memory limit but beyond what wasm32 memory holds is TOO_LARGE naming the layer and the bytes, before allocating', () => {
    machineOf64GiB();
    expect(defaultMemoryLimit()).toBe(16 * GiB);
    const { error, ms } = refused(() => fromSpec(wide, { backend: 'wasm', threads: 1 }));
    expect(error.code).toBe('TOO_LARGE');
    const free = error.details.limit as number;
    expect(free).toBeGreaterThan(4 * GiB - 64 * 2 ** 20);
    expect(free).toBeLessThan(4 * GiB);
    expect(error.message).toBe(
      `layers/0: the model needs 4.0 GiB (${WIDE_BYTES} bytes) for its parameters, beyond the 4.0 GiB (${free} bytes) free in the wasm backend's memory, ` +
        "which holds 4.0 GiB at most (a wasm32 memory addresses no more); node \"linear_1\" (linear) takes 4.0 GiB of it, 4.0 GiB for its weight [32768,32768] " +
        "(the 'ts' backend has no such ceiling)",
    );
    expect(error.details).toEqual({
      node: 'linear_1',
      path: 'layers/0',
      bytes: WIDE_BYTES,
      limit: free,
      backend: 'wasm',
      maxBytes: 4 * GiB,
      layerBytes: WIDE_BYTES,
      buffer: 'weight',
      shape: [32768, 32768],
    });
    expect(ms).toBeLessThan(1000); // reading it would take minutes; the figure is in the reliability guide
  });

  it('a plan beyond what is left of the wasm memory is TOO_LARGE naming the layer at its path, before allocating, and the cache keeps nothing', () => {
    machineOf64GiB();
    // dense 1 → 8192 at batch 65536: its output and its scratch dz are 2 GiB each; the limit (16 GiB) holds them.
    const model = sequential([dense({ inFeatures: 1, outFeatures: 8192, activation: 'relu' }), linear({ inFeatures: 8192, outFeatures: 1 })], {
      inputShape: [1],
      loss: mse(),
      backend: 'wasm',
      threads: 1,
    });
    const { error, ms } = refused(() => model.compile(65536, { kind: 'infer' }));
    expect(error.code).toBe('TOO_LARGE');
    const free = error.details.limit as number;
    // x, y, dense's output and dz, linear's output; mse's scalar and dense's empty z take a 64-byte block each.
    const bytes = 4 * 65536 * (1 + 1 + 8192 + 8192 + 1) + 2 * 64;
    expect(error.message).toBe(
      `compile(65536): a forward-only plan for batch size 65536 needs 4.0 GiB (${bytes} bytes) for its buffers, beyond the 4.0 GiB (${free} bytes) free in the wasm backend's memory, ` +
        'which holds 4.0 GiB at most (a wasm32 memory addresses no more); node "dense_1" (dense) at layers/0 takes 4.0 GiB of it, 2.0 GiB for its output [65536,8192] ' +
        "(the 'ts' backend has no such ceiling)",
    );
    expect(error.details).toMatchObject({ node: 'dense_1', path: 'layers/0', bytes, backend: 'wasm', maxBytes: 4 * GiB, buffer: 'output', shape: [65536, 8192] });
    expect(ms).toBeLessThan(1000); // reading it would take minutes; the figure is in the reliability guide
    expect(refused(() => model.plan(65536, 'infer')).error.code).toBe('TOO_LARGE');
    expect(model.planCacheStats()).toEqual({ plans: 0, bytes: 0 });
    // What fits is still compiled and runs.
    const plan = model.compile(1024, { kind: 'infer' });
    plan.x.data.fill(1);
    expect(Number.isFinite(plan.forward())).toBe(true);
  });

  it('counts only what lives in wasm memory: float64 models and the TypeScript backend have no ceiling', () => {
    const need = { node: 'linear_1', label: 'node "linear_1" (linear)', path: 'layers/0', what: 'weight', shape: [2 ** 31] };
    expect(() => checkMemoryCeiling([need], 'float32', tsBackend, { subject: 'the model', purpose: 'for its parameters', leadWithPath: true })).not.toThrow();
    const wasm = sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse(), backend: 'wasm', threads: 1 }).backend;
    expect(wasm.memoryCeiling?.('float64')).toBeUndefined();
    const ceiling = wasm.memoryCeiling?.('float32');
    expect(ceiling).toMatchObject({ maxBytes: 4 * GiB, alignment: 64, why: 'a wasm32 memory addresses no more' });
    expect(() => checkMemoryCeiling([need], 'float32', wasm, { subject: 'the model', purpose: 'for its parameters', leadWithPath: true })).toThrow(/node "linear_1" \(linear\) takes 8\.0 GiB of it/);
  });
});
