/**
 * Resolves on a later turn of the event loop (a macrotask), so timers, I/O and UI events
 * queued meanwhile get to run.
 *
 * @example
 * ```ts
 * import { yieldToEventLoop } from '@gradstream/trainer';
 * await yieldToEventLoop();
 * ```
 */
export function yieldToEventLoop(): Promise<void> {
  // setImmediate (Node) does not clamp to 4 ms as nested setTimeout does in browsers.
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  return new Promise((resolve) => {
    if (typeof g.setImmediate === 'function') g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
