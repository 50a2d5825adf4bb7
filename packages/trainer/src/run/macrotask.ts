import type { SchedulerLike } from 'rxjs';

/**
 * Runs `fn` on a later turn of the event loop and returns a function that cancels it. With an
 * RxJS scheduler (tests use TestScheduler's virtual time) it schedules there instead.
 */
export function laterTurn(fn: () => void, scheduler?: SchedulerLike, delay = 0): () => void {
  if (scheduler !== undefined) {
    const sub = scheduler.schedule(fn, delay);
    return () => sub.unsubscribe();
  }
  const g = globalThis as unknown as {
    setImmediate?: (cb: () => void) => unknown;
    clearImmediate?: (h: unknown) => void;
    MessageChannel?: new () => { port1: { onmessage: (() => void) | null; close(): void }; port2: { postMessage(v: unknown): void } };
  };
  // setImmediate (Node) and MessageChannel (browsers, workers) are macrotasks without the 4 ms
  // clamp that nested setTimeout gets in browsers.
  if (typeof g.setImmediate === 'function') {
    const h = g.setImmediate(fn);
    return () => g.clearImmediate?.(h);
  }
  if (typeof g.MessageChannel === 'function') {
    const ch = new g.MessageChannel();
    let live = true;
    ch.port1.onmessage = () => {
      ch.port1.close();
      if (live) fn();
    };
    ch.port2.postMessage(0);
    return () => {
      live = false;
      ch.port1.close();
    };
  }
  const t = setTimeout(fn, 0);
  return () => clearTimeout(t);
}
