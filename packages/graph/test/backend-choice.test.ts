import { describe, expect, it, vi } from 'vitest';
import { tsBackend } from '@gradstream/tensor';
import { linear, mse } from '@gradstream/ops';
import { backendSummary, sequential } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

const build = (options: object) => sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), ...options });

describe('choosing a model’s backend', () => {
  it("'auto' (the default) takes WebAssembly SIMD for float32 where it runs, the TypeScript reference for float64", () => {
    expect(build({}).backend.name).toBe('wasm');
    expect(build({ threads: 1 }).backend.description).toBe('WebAssembly SIMD128, 1 thread');
    expect(build({ dtype: 'float64' }).backend).toBe(tsBackend);
  });

  it("'ts' and 'wasm' by name, or a Backend object as it is", () => {
    expect(build({ backend: 'ts' }).backend).toBe(tsBackend);
    expect(build({ backend: 'wasm', threads: 2 }).backend.threads).toBe(2);
    const mine = { ...tsBackend, name: 'mine' };
    expect(build({ backend: mine }).backend).toBe(mine);
  });

  it('keeps parameters in the backend’s memory', () => {
    const model = build({ backend: 'wasm' });
    const w = model.parameters()[0]!.value.data;
    // a view of the shared WebAssembly memory, not an array of its own
    expect(w.buffer.constructor.name).toBe('SharedArrayBuffer');
    expect(build({ backend: 'ts' }).parameters()[0]!.value.data.buffer.constructor.name).toBe('ArrayBuffer');
  });

  it('refuses wasm for float64 and names it', () => {
    const err = catchGradstream(() => build({ backend: 'wasm', dtype: 'float64' }));
    expect(err.code).toBe('INVALID_OPTION');
    expect(err.message).toBe("backend 'wasm' computes in float32; this model is float64 (use backend 'ts' or 'auto')");
    expect(catchGradstream(() => build({ backend: 'gpu' })).message).toMatch(/backend must be 'auto', 'ts', 'wasm', 'webgpu' or a Backend, got "gpu"/);
    expect(catchGradstream(() => build({ backend: 'wasm', threads: 0 })).message).toMatch(/threads must be a positive integer, got 0/);
  });

  it("falls back to the TypeScript backend where WebAssembly SIMD is missing, and says why", () => {
    const spy = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      const model = build({});
      expect(model.backend.name).toBe('ts');
      expect(backendSummary(model.backend)).toBe(
        'ts: TypeScript (reference kernels, one thread) (wasm unavailable: this platform has WebAssembly but not its SIMD128 instructions)',
      );
      expect(catchGradstream(() => build({ backend: 'wasm' })).code).toBe('BACKEND_UNAVAILABLE');
    } finally {
      spy.mockRestore();
    }
  });

  it('describes the choice in one line', () => {
    expect(backendSummary(build({ backend: 'wasm', threads: 1 }).backend)).toBe('wasm: WebAssembly SIMD128, 1 thread');
    expect(backendSummary(tsBackend)).toBe('ts: TypeScript (reference kernels, one thread)');
  });
});
