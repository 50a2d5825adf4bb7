import type { Backend } from './backend.js';

/**
 * What a model's `backend` option may name besides `'ts'`: a backend package registers one of
 * these when it is imported (`@gradstream/backend-wasm` registers `'wasm'`), so the packages that
 * choose a backend by name never import the backends themselves, and a page or an app carries only
 * the backends it loads.
 *
 * @example
 * ```ts
 * import { registerBackendProvider, tsBackend, type BackendProvider } from '@gradstream/tensor';
 * const reference: BackendProvider = {
 *   name: 'reference',
 *   unavailable: () => undefined,
 *   defaultThreads: () => 1,
 *   create: () => tsBackend,
 * };
 * registerBackendProvider(reference);
 * ```
 */
export interface BackendProvider {
  /** The name models choose it by (`backend: 'wasm'`). */
  readonly name: string;
  /** Why the backend cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  /** Threads it uses unless told otherwise. */
  defaultThreads(): number;
  /** The backend with that many threads; a `BACKEND_UNAVAILABLE` error where it cannot run. */
  create(options: { readonly threads?: number }): Backend;
}

const providers = new Map<string, BackendProvider>();

/**
 * Makes a backend choosable by name. A name registered again is replaced (a page that loads a
 * backend's file twice still has one).
 *
 * @example
 * ```ts
 * import { registerBackendProvider, tsBackend } from '@gradstream/tensor';
 * registerBackendProvider({ name: 'reference', unavailable: () => undefined, defaultThreads: () => 1, create: () => tsBackend });
 * ```
 */
export function registerBackendProvider(provider: BackendProvider): void {
  providers.set(provider.name, provider);
}

/**
 * The provider registered under `name`, or undefined when no loaded package registered it.
 *
 * @example
 * ```ts
 * import { backendProvider } from '@gradstream/tensor';
 * const wasm = backendProvider('wasm'); // defined once @gradstream/backend-wasm is imported
 * ```
 */
export function backendProvider(name: string): BackendProvider | undefined {
  return providers.get(name);
}
