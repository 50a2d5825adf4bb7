import { backendSummary } from '@gradstream/graph';
import type { Backend } from '@gradstream/tensor';
import type { AdapterInfo } from '../shared/protocol.js';

/** An adapter in a few words, `google swiftshader (software)`: enough to tell a real GPU from SwiftShader. */
export function adapterLabel(adapter: AdapterInfo): string {
  const name = [adapter.vendor, adapter.architecture].filter((s) => s !== '').join(' ');
  return `${name === '' ? 'an unnamed adapter' : name}${adapter.fallback ? ' (software)' : ''}`;
}

/**
 * The backend a model trains on, in one line for the page: WebGPU by its adapter
 * (`WebGPU — google swiftshader (software)`), a CPU backend as `backendSummary` says it, which
 * includes why the TypeScript one was taken where WebAssembly cannot run.
 */
export function backendLine(backend: Backend): string {
  const adapter = (backend as { readonly adapter?: AdapterInfo }).adapter;
  return backend.name === 'webgpu' && adapter !== undefined ? `WebGPU — ${adapterLabel(adapter)}` : backendSummary(backend);
}
