/**
 * The worker side of the thread pool, as source text: a worker is started from this string (Node:
 * `new Worker(WORKER_SOURCE, { eval: true })`; browsers: a Blob URL), so it needs no file of its own
 * and runs the same from the TypeScript sources (vitest), from the compiled `dist` and from a bundle.
 *
 * The layout of the control block both sides share is defined here too, once.
 *
 * @packageDocumentation
 */

/** Int32 slots per cache line (64 bytes): slots written by different threads sit on different lines. */
export const LINE = 16;

/**
 * Slot indices in the control block's Int32Array.
 *
 * | slot | written by | meaning |
 * | --- | --- | --- |
 * | `PENDING` | caller, workers | worker parts of the current run not finished yet |
 * | `CALLER_SLEEPING` | caller | 1 while the caller is in `Atomics.wait` on `PENDING` (workers notify only then) |
 * | `KERNEL`, `ARGC`, `PARTS` | caller | the current run (read by workers after they see their generation change) |
 * | `READY` | workers | workers that have instantiated the module |
 * | `FATAL` | workers | 1 + index of the first worker that failed to start or died: the pool is broken |
 * | `FATAL_LEN` | workers | characters of that worker's message in the fatal message area |
 * | `ERROR` | workers | 1 + part of the first worker part whose kernel threw in the current run (0: none) |
 * | `ERROR_LEN` | workers | characters of its message in the error message area |
 * | `CLOSE` | caller | 1: workers return from their loop |
 * | `QUIET` | nobody | always 0: polled to calibrate the spin loops |
 * | `WORKER_POLLS_PER_MS` | worker 1 | its calibrated polls per ms (diagnostics) |
 * | `WORKER + (w−1)·LINE` | caller | worker w's generation: bumped to hand it a part |
 * | `WORKER + (w−1)·LINE + 1` | worker w | 1 while worker w is in `Atomics.wait` (the caller notifies only then) |
 */
export const SLOT = {
  PENDING: 0,
  CALLER_SLEEPING: 1,
  KERNEL: LINE,
  ARGC: LINE + 1,
  PARTS: LINE + 2,
  READY: 2 * LINE,
  FATAL: 2 * LINE + 1,
  FATAL_LEN: 2 * LINE + 2,
  ERROR: 2 * LINE + 3,
  ERROR_LEN: 2 * LINE + 4,
  CLOSE: 2 * LINE + 5,
  QUIET: 2 * LINE + 6,
  WORKER_POLLS_PER_MS: 2 * LINE + 7,
  WORKER: 3 * LINE,
} as const;

/**
 * Most arguments a kernel takes before its `(scratch, part, parts)`: the length of `ThreadPool.args`.
 *
 * @example
 * ```ts
 * if (argc > MAX_KERNEL_ARGS) throw new RangeError('too many kernel arguments');
 * ```
 */
export const MAX_KERNEL_ARGS = 16;
/**
 * Spin loops are bounded by a count of polls, not by a clock: reading a clock allocates in V8 (a heap
 * number or an array), and a spin that allocates makes garbage on every dispatch. Each thread
 * measures, once, how many polls its loop does per ms (once the loop is optimized, the best of a
 * few timings), and turns the spin times into poll counts. Clamped to this range.
 */
export const POLLS_PER_MS_RANGE = [1e3, 1e7] as const;

/**
 * The poll loop both sides use: polls `ctl[slot]` up to `polls` times, returns how many polls
 * saw `value` (fewer than `polls` if it changed).
 */
export const POLL_SOURCE = `function pollFor(ctl, slot, value, polls) {
  for (var i = 0; i < polls; i++) if (Atomics.load(ctl, slot) !== value) return i;
  return polls;
}
function calibratePolls(ctl, quiet) {
  for (var r = 0; r < 16; r++) pollFor(ctl, quiet, 0, 16384);
  var best = 0;
  for (var r2 = 0; r2 < 3; r2++) {
    var t = performance.now();
    pollFor(ctl, quiet, 0, 131072);
    var dt = performance.now() - t;
    if (dt > 0 && 131072 / dt > best) best = 131072 / dt;
  }
  return Math.min(Math.max(best || ${POLLS_PER_MS_RANGE[1]}, ${POLLS_PER_MS_RANGE[0]}), ${POLLS_PER_MS_RANGE[1]});
}`;

/** Characters kept of a worker's error message (the rest is cut). */
export const MESSAGE_CHARS = 2048;

/** Byte offsets of the regions of the control block's SharedArrayBuffer, for `threads` threads. */
export function controlLayout(threads: number): { args: number; errorText: number; fatalText: number; bytes: number } {
  const ints = SLOT.WORKER + Math.max(1, threads - 1) * LINE;
  const args = ints * 4; // a multiple of 64
  const errorText = args + MAX_KERNEL_ARGS * 8;
  const fatalText = errorText + MESSAGE_CHARS * 2;
  return { args, errorText, fatalText, bytes: fatalText + MESSAGE_CHARS * 2 };
}

/**
 * The worker's program. It receives `{ index, threads, module, memory, control, kernels, scratchBase,
 * scratchBytes, spinMs, layout }` (Node: as `workerData`; browsers: as its first message),
 * instantiates `module` over the shared `memory`, calibrates its poll loop, counts itself in
 * `READY`, then loops: poll its generation slot for up to `spinMs`, then `Atomics.wait` on it; on
 * a new generation run part `index` of kernel `KERNEL` with `ARGC` arguments from the shared
 * Float64Array (a fixed-arity call per argc, so nothing is allocated), then decrement
 * `PENDING` (the last one notifies the caller if it sleeps). A kernel that throws is recorded in
 * `ERROR` (first one wins) and the loop goes on; anything else that goes wrong is recorded in
 * `FATAL`, which breaks the pool.
 */
export const WORKER_SOURCE = `'use strict';
(function () {
  var S = ${JSON.stringify(SLOT)};
  var LINE = ${LINE}, MAX_ARGS = ${MAX_KERNEL_ARGS}, MESSAGE_CHARS = ${MESSAGE_CHARS};
  var wt = null;
  if (typeof process === 'object' && process !== null && process.versions && process.versions.node) {
    wt = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:worker_threads') : require('node:worker_threads');
  }
  if (wt !== null) {
    start(wt.workerData, function (m) { wt.parentPort.postMessage(m); });
  } else {
    self.onmessage = function (e) {
      self.onmessage = null;
      start(e.data, function (m) { self.postMessage(m); });
    };
  }

  function describe(e) {
    if (e instanceof Error) return e.stack && e.stack.indexOf(e.message) >= 0 ? e.stack : e.name + ': ' + e.message;
    return String(e);
  }
  function writeText(ctl, chars, lenSlot, text) {
    var n = Math.min(text.length, MESSAGE_CHARS);
    for (var i = 0; i < n; i++) chars[i] = text.charCodeAt(i);
    Atomics.store(ctl, lenSlot, n);
  }

  function start(d, post) {
    var ctl = new Int32Array(d.control);
    var args = new Float64Array(d.control, d.layout.args, MAX_ARGS);
    var errorText = new Uint16Array(d.control, d.layout.errorText, MESSAGE_CHARS);
    var fatalText = new Uint16Array(d.control, d.layout.fatalText, MESSAGE_CHARS);
    var w = d.index, part = w;
    var genSlot = S.WORKER + (w - 1) * LINE, sleepSlot = genSlot + 1;
    var scratch = d.scratchBase + part * d.scratchBytes;
    var spinPolls = 0;
    var fns = [];

    function fatal(what, e) {
      var text = 'worker ' + w + ' ' + what + ': ' + describe(e);
      if (Atomics.compareExchange(ctl, S.FATAL, 0, w + 1) === 0) writeText(ctl, fatalText, S.FATAL_LEN, text);
      Atomics.notify(ctl, S.READY);
      Atomics.notify(ctl, S.PENDING);
      try { post({ type: 'fatal', index: w, message: text }); } catch (_) { /* the port may be gone */ }
    }

    // Instantiate with the caller's module over the caller's shared memory.
    try {
      var memory = d.memory;
      var abort = function (msg, file, line, col) {
        throw new Error('abort: ' + asString(memory, msg) + ' at ' + asString(memory, file) + ':' + line + ':' + col);
      };
      var instance = new WebAssembly.Instance(d.module, { env: { memory: memory, abort: abort } });
      for (var k = 0; k < d.kernels.length; k++) {
        var f = instance.exports[d.kernels[k]];
        if (typeof f !== 'function') throw new Error('the module exports no function ' + JSON.stringify(d.kernels[k]));
        fns.push(f);
      }
    } catch (e) {
      fatal('failed to start', e);
      return;
    }
    if (d.spinMs > 0) {
      var pollsPerMs = calibratePolls(ctl, S.QUIET);
      spinPolls = Math.round(d.spinMs * pollsPerMs);
      if (w === 1) Atomics.store(ctl, S.WORKER_POLLS_PER_MS, Math.round(pollsPerMs));
    }
    Atomics.add(ctl, S.READY, 1);
    Atomics.notify(ctl, S.READY);
    post({ type: 'ready', index: w });

    try {
      loop();
    } catch (e) {
      fatal('died', e);
    }

    function loop() {
      var seen = 0;
      for (;;) {
        var g = Atomics.load(ctl, genSlot);
        if (g === seen) {
          // Poll a while (allocating nothing): back-to-back kernel calls find the worker awake.
          pollFor(ctl, genSlot, seen, spinPolls);
          g = Atomics.load(ctl, genSlot);
          // Then sleep. The caller notifies only when the sleep flag is up; with sequentially
          // consistent atomics either it sees the flag or this wait sees the new generation.
          while (g === seen) {
            Atomics.store(ctl, sleepSlot, 1);
            Atomics.wait(ctl, genSlot, seen);
            Atomics.store(ctl, sleepSlot, 0);
            g = Atomics.load(ctl, genSlot);
          }
        }
        seen = g;
        if (Atomics.load(ctl, S.CLOSE) !== 0) return;
        var kernel = ctl[S.KERNEL], argc = ctl[S.ARGC], parts = ctl[S.PARTS];
        try {
          invoke(fns[kernel], argc, parts);
        } catch (e) {
          if (Atomics.compareExchange(ctl, S.ERROR, 0, part + 1) === 0) writeText(ctl, errorText, S.ERROR_LEN, describe(e));
        }
        if (Atomics.sub(ctl, S.PENDING, 1) === 1 && Atomics.load(ctl, S.CALLER_SLEEPING) !== 0) Atomics.notify(ctl, S.PENDING);
      }
    }

    function invoke(f, argc, parts) {
      var a = args, s = scratch, p = part;
      switch (argc) {
        case 0: f(s, p, parts); return;
        case 1: f(a[0], s, p, parts); return;
        case 2: f(a[0], a[1], s, p, parts); return;
        case 3: f(a[0], a[1], a[2], s, p, parts); return;
        case 4: f(a[0], a[1], a[2], a[3], s, p, parts); return;
        case 5: f(a[0], a[1], a[2], a[3], a[4], s, p, parts); return;
        case 6: f(a[0], a[1], a[2], a[3], a[4], a[5], s, p, parts); return;
        case 7: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], s, p, parts); return;
        case 8: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], s, p, parts); return;
        case 9: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], s, p, parts); return;
        case 10: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], s, p, parts); return;
        case 11: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], s, p, parts); return;
        case 12: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], s, p, parts); return;
        case 13: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], s, p, parts); return;
        case 14: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], s, p, parts); return;
        case 15: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], s, p, parts); return;
        case 16: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], s, p, parts); return;
        default: throw new RangeError('argc ' + argc + ' out of range');
      }
    }
  }

  ${POLL_SOURCE}

  // An AssemblyScript string (UTF-16, its byte length in the 4 bytes before it), for abort().
  function asString(memory, ptr) {
    if (!ptr) return '';
    try {
      var bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
      var u16 = new Uint16Array(memory.buffer, ptr, Math.min(bytes >>> 1, 1000));
      var s = '';
      for (var i = 0; i < u16.length; i++) s += String.fromCharCode(u16[i]);
      return s;
    } catch (_) {
      return '<string at ' + ptr + '>';
    }
  }
})();
`;
