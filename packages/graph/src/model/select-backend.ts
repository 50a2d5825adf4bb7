import { GradstreamError, backendProvider, tsBackend, type Backend, type BackendProvider, type DType } from '@gradstream/tensor';

/**
 * How a model's backend is chosen: a {@link Backend} object, or by name — `'ts'` (the TypeScript
 * reference, float32 and float64), `'wasm'` (WebAssembly SIMD on all cores, float32), `'auto'` (the
 * default: wasm where it can run and the model is float32, else ts), `'webgpu'` (WGSL compute
 * shaders on the GPU, float32; once `loadWebGpuBackend()` of `@gradstream/backend-webgpu` has
 * resolved — `'auto'` never picks it). Named backends other than
 * `'ts'` come from the packages that register them (see {@link @gradstream/tensor!registerBackendProvider}):
 * in Node `@gradstream/graph` loads the wasm one itself; in a browser build, import
 * `@gradstream/backend-wasm` (or the bundle's `gradstream-wasm.js`) to have it.
 *
 * @example
 * ```ts
 * import type { BackendChoice } from '@gradstream/graph';
 * const choice: BackendChoice = 'ts';
 * ```
 */
export type BackendChoice = Backend | 'auto' | 'ts' | 'wasm' | 'webgpu';

/** Why `'auto'` chose what it chose, kept for `--verbose` and the `start` event. */
const reasons = new WeakMap<Backend, string>();

/**
 * One line saying which backend a model runs on and why (`wasm: WebAssembly SIMD128, 2 threads` or
 * `ts: … (wasm unavailable: …)`).
 *
 * @example
 * ```ts
 * import { backendSummary, sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse() });
 * console.log(backendSummary(model.backend));
 * ```
 */
export function backendSummary(backend: Backend): string {
  const why = reasons.get(backend);
  return `${backend.name}: ${backend.description}${why === undefined ? '' : ` (${why})`}`;
}

/** Resolves a {@link BackendChoice} for a model of the given dtype. */
export function selectBackend(choice: BackendChoice, dtype: DType, threads: number | undefined): Backend {
  if (typeof choice === 'object' && choice !== null) return choice;
  switch (choice) {
    case 'ts':
      return tsBackend;
    case 'wasm': {
      if (dtype !== 'float32') {
        throw new GradstreamError('INVALID_OPTION', `backend 'wasm' computes in float32; this model is ${dtype} (use backend 'ts' or 'auto')`, {
          option: 'backend',
          dtype,
        });
      }
      return wasmProvider().create(threads === undefined ? {} : { threads });
    }
    case 'webgpu': {
      if (dtype !== 'float32') {
        throw new GradstreamError('INVALID_OPTION', `backend 'webgpu' computes in float32; this model is ${dtype} (use backend 'ts' or 'auto')`, {
          option: 'backend',
          dtype,
        });
      }
      const webgpu = backendProvider('webgpu');
      if (webgpu === undefined) {
        throw new GradstreamError('BACKEND_UNAVAILABLE', "webgpu backend not loaded: import { loadWebGpuBackend } from '@gradstream/backend-webgpu' and await it first", {
          backend: 'webgpu',
          tried: ["backendProvider('webgpu'): not registered"],
        });
      }
      return webgpu.create({});
    }
    case 'auto': {
      if (dtype !== 'float32') return tsBackend;
      const wasm = backendProvider('wasm');
      if (wasm === undefined) return explained(`wasm not loaded: ${NOT_LOADED}`);
      const why = wasm.unavailable();
      if (why === undefined) {
        try {
          return wasm.create({ threads: threads ?? wasm.defaultThreads() });
        } catch (e) {
          if (!(e instanceof GradstreamError) || e.code !== 'BACKEND_UNAVAILABLE') throw e;
          return explained(e.message);
        }
      }
      return explained(`wasm unavailable: ${why}`);
    }
    default:
      throw new GradstreamError('INVALID_OPTION', `backend must be 'auto', 'ts', 'wasm', 'webgpu' or a Backend, got ${JSON.stringify(choice)}`, { option: 'backend' });
  }
}

const NOT_LOADED = "import '@gradstream/backend-wasm' (in a page, the bundle's gradstream-wasm.js) to have it";

/** The registered wasm provider; choosing it by name without it loaded is a `BACKEND_UNAVAILABLE` error saying what to import. */
function wasmProvider(): BackendProvider {
  const wasm = backendProvider('wasm');
  if (wasm === undefined) throw new GradstreamError('BACKEND_UNAVAILABLE', `wasm backend not loaded: ${NOT_LOADED}`, { backend: 'wasm' });
  return wasm;
}

/** The TypeScript backend, with the reason the wasm one was not taken. */
function explained(reason: string): Backend {
  // A facade of its own, so the reason is this model's and tsBackend stays as it is.
  const b: Backend = Object.freeze({ ...tsBackend });
  reasons.set(b, reason);
  return b;
}
