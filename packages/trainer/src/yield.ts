import { laterTurn } from './run/macrotask.js';

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
  return new Promise((resolve) => {
    laterTurn(resolve);
  });
}
