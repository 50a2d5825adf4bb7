import { createRequire } from 'node:module';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { BenchGpu } from './gradstream-webgpu.js';
import { initTfjs } from './tfjs.js';

const require = createRequire(import.meta.url);
// The same CommonJS tfjs-core instance as peers/tfjs.ts (require's cache), so the webgpu backend
// registers where the trainers look for it.
const tf = require('@tensorflow/tfjs-core') as typeof TfCore;

/** Whether TF.js's webgpu backend runs here: the adapter it found, or why it does not. */
export type TfWebGpuStatus = { readonly ok: true; readonly adapter: string } | { readonly ok: false; readonly reason: string };

/**
 * Node has no `navigator.gpu`; tfjs-backend-webgpu registers itself only where it finds one when
 * it loads, and its shaders name the WebGPU constants (`GPUBufferUsage`, `GPUMapMode`, …) as
 * globals. Both come from the `webgpu` package (Dawn): the GPU instance gradstream uses, and its
 * `globals`. Node 21+ has a `navigator` of its own: the GPU is added to it.
 */
async function provideBrowserGlobals(gpu: BenchGpu): Promise<void> {
  const { globals } = (await import('webgpu')) as { globals: object };
  Object.assign(globalThis, globals);
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
}

let ready: Promise<TfWebGpuStatus> | undefined;

/**
 * Registers TF.js's webgpu backend on `gpu` (Node's, from `nodeWebGpu()`) and initialises it once,
 * leaving `cpu` current. Never rejects: where the backend cannot run, the status says why, and the
 * TF.js rows of `pnpm bench --backend webgpu` carry that reason instead of a time.
 */
export function initTfjsWebGpu(gpu: BenchGpu): Promise<TfWebGpuStatus> {
  ready ??= (async (): Promise<TfWebGpuStatus> => {
    try {
      await initTfjs();
      await provideBrowserGlobals(gpu);
      require('@tensorflow/tfjs-backend-webgpu');
      if (tf.findBackendFactory('webgpu') === null) return { ok: false, reason: 'tfjs-backend-webgpu did not register its backend (no navigator.gpu when it loaded)' };
      // TF.js only logs why its initialisation failed; asking for an adapter first names the usual reason.
      if ((await gpu.requestAdapter()) === null) return { ok: false, reason: 'navigator.gpu.requestAdapter() found no adapter' };
      if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: "tf.setBackend('webgpu') failed (TF.js logged why above)" };
      const info = (tf.backend() as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
      await tf.setBackend('cpu');
      return { ok: true, adapter: `${info?.vendor ?? '?'} ${info?.architecture ?? '?'}` };
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    }
  })();
  return ready;
}
