// A browser build of the library loads a backend only when asked: WebAssembly always, WebGPU
// where the browser gives this worker an adapter.
import '@gradstream/backend-wasm';
import { loadWebGpuBackend } from '@gradstream/backend-webgpu';
import { backendParity, defaultRegistry, sequential } from '@gradstream/graph';
import { linear, softmaxCrossEntropy } from '@gradstream/ops';
import { GradstreamError, type Backend } from '@gradstream/tensor';
import type { BackendOffer, BackendOffers } from '../shared/protocol.js';
import { backendLine } from './backend-line.js';
import { backendChoice } from './network.js';

/** Largest relative difference from the CPU for an op to count as running on WebGPU (float32 kernels differ by about 1e-6). */
const PARITY = 1e-3;

/** Longest wait for the browser's adapter: the page cannot start before the worker says hello. */
const PROBE_MS = 10_000;

/**
 * What the controls can offer: WebAssembly (named by the backend a small model gets, so the line
 * says how many threads it runs on) with every op of `ops`, and WebGPU if `loadWebGpuBackend`
 * finds an adapter, with that adapter, or why not. Which ops compute on WebGPU is left open for
 * {@link withWebGpuOps}. Never rejects.
 */
export async function offerBackends(ops: readonly string[]): Promise<BackendOffers> {
  const cpu = sequential([linear({ inFeatures: 1, outFeatures: 2 })], { inputShape: [1], loss: softmaxCrossEntropy(), backend: backendChoice('wasm') });
  return { wasm: { available: true, summary: backendLine(cpu.backend), ops }, webgpu: await probeWebGpu() };
}

/**
 * The offers with the ops of `ops` that compute on WebGPU, where it is offered. It compiles and
 * runs every op's kernels once (about a second on a software adapter), so the page starts
 * without waiting for it. Never rejects.
 */
export async function withWebGpuOps(offers: BackendOffers, ops: readonly string[]): Promise<BackendOffers> {
  if (!offers.webgpu.available) return offers;
  const backend = await loadWebGpuBackend();
  return { ...offers, webgpu: { ...offers.webgpu, ops: await opsOn(backend, ops) } };
}

async function probeWebGpu(): Promise<BackendOffer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the browser's WebGPU within ${PROBE_MS / 1000} s`)), PROBE_MS);
  });
  try {
    const backend = await Promise.race([loadWebGpuBackend(), late]);
    const { vendor, architecture, description, fallback } = backend.adapter;
    return { available: true, summary: backendLine(backend), adapter: { vendor, architecture, description, fallback } };
  } catch (e) {
    return { available: false, reason: whyNot(e) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The ops that compute on `backend` what they compute on the CPU, forward and backward, by the
 * library's own comparison. A plugin whose functions loop over its arrays on the host (as the
 * example's swish does) reads stale host copies on a GPU and fails it; so would a kernel that is
 * wrong there.
 */
async function opsOn(backend: Backend, ops: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const name of ops) {
    const report = await backendParity(defaultRegistry.get(name), { seed: 1 }, backend).catch(() => undefined);
    if (report !== undefined && report.maxError < PARITY) out.push(name);
  }
  return out;
}

/**
 * The step that failed, said for a page: the library lists each step it tried (`details.tried`),
 * and words its two usual answers for every place it runs, Node included.
 */
function whyNot(e: unknown): string {
  const tried = e instanceof GradstreamError && Array.isArray(e.details.tried) ? (e.details.tried as unknown[]) : [];
  const last = tried.length > 0 ? String(tried[tried.length - 1]) : e instanceof Error ? e.message : String(e);
  if (last.startsWith('navigator.gpu: absent')) return 'this browser offers no WebGPU here (navigator.gpu is absent)';
  if (last.startsWith('requestAdapter: no adapter')) return 'the browser found no WebGPU adapter';
  return last;
}
