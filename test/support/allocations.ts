/*
 * Counts typed-array and ArrayBuffer constructions by swapping the global constructors for
 * counting proxies: kernels, plans and optimizers that call `new Float32Array(…)` go through them.
 * Shared by the packages' zero-allocation tests.
 */
const KINDS = ['Float32Array', 'Float64Array', 'Uint32Array', 'Int32Array', 'Uint8Array', 'ArrayBuffer'] as const;
type Kind = (typeof KINDS)[number];
const originals = new Map<Kind, unknown>();
let counted = 0;

/** Starts counting from zero (a no-op if already counting). */
export function startCountingAllocations(): void {
  if (originals.size > 0) return;
  counted = 0;
  const g = globalThis as unknown as Record<Kind, new (...a: unknown[]) => unknown>;
  for (const k of KINDS) {
    originals.set(k, g[k]);
    g[k] = new Proxy(g[k], {
      construct(target, args, newTarget) {
        counted++;
        return Reflect.construct(target, args, newTarget);
      },
    });
  }
}

/** Puts the constructors back and returns how many constructions were counted. */
export function stopCountingAllocations(): number {
  const g = globalThis as unknown as Record<Kind, unknown>;
  for (const [k, v] of originals) g[k] = v;
  originals.clear();
  return counted;
}

/** The constructions made while `fn` runs. */
export function countAllocations(fn: () => void): number {
  startCountingAllocations();
  try {
    fn();
  } finally {
    stopCountingAllocations();
  }
  return counted;
}
