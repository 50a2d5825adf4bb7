import { KERNEL_NAMES, READING_KERNELS, Rng, tsBackend } from '@gradstream/tensor';
import { defaultRegistry, backendParity } from '@gradstream/graph';
import '@gradstream/ops';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { READING_ON_HOST } from '../src/kernels/reading.js';
import { webGpuBackend } from './support/backend.js';

let backend: WebGpuBackend;
beforeAll(async () => {
  backend = await webGpuBackend();
});

describe('the WebGPU kernel set', () => {
  it('has every kernel of the contract, and only the reading ones run on the host', () => {
    for (const name of KERNEL_NAMES) {
      expect(typeof backend[name], name).toBe('function');
      // A kernel borrowed from the TypeScript backend would compute on stale host copies.
      if (READING_KERNELS.has(name)) expect(backend[name], name).toBe((READING_ON_HOST as Record<string, unknown>)[name]);
      else expect(backend[name], name).not.toBe(tsBackend[name]);
    }
  });
});

// Every op registered in the default registry runs forward and backward on WebGPU and on the
// TypeScript backend from the same values; a new op is covered by registering it. The TypeScript
// backend's gradients are the ones checked against finite differences (ops' gradcheck-all test).
describe('every registered op on WebGPU equals the TypeScript backend, forward and backward', () => {
  for (const plugin of defaultRegistry.plugins()) {
    for (const [seed, batchOne] of [
      [1, false],
      [2, true],
    ] as const) {
      it(`${plugin.name} (seed ${seed}${batchOne ? ', batch 1' : ''})`, async () => {
        const c = plugin.gradcheckCase?.(Rng.fromSeed(seed));
        expect(c, `${plugin.name} declares a gradcheck case`).toBeDefined();
        if (c === undefined) return;
        const shapes = batchOne ? c.inputShapes.map((s) => [1, ...s.slice(1)]) : c.inputShapes;
        const report = await backendParity(plugin, { config: c.config, shapes, seed, ...(c.fillInput ? { fillInput: c.fillInput } : {}) }, backend);
        expect(report.entries.length).toBeGreaterThan(1);
        for (const e of report.entries) expect(e.maxError, `${plugin.name} ${e.kind} ${e.name} ${JSON.stringify(e.worst)}`).toBeLessThan(1e-4);
      });
    }
  }
});
