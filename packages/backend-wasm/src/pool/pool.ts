import { LINE, MAX_KERNEL_ARGS, MESSAGE_CHARS, POLLS_PER_MS_RANGE, SLOT, WORKER_SOURCE, controlLayout } from './worker-source.js';

// The repo's lib is ES2022 (+ @types/node), which declares no `WebAssembly`: the few parts used
// here are typed structurally, so a real WebAssembly.Module / Memory / Exports is accepted as is.

/**
 * A compiled WebAssembly module (a `WebAssembly.Module`).
 *
 * @example
 * ```ts
 * const module: WasmModule = new WebAssembly.Module(bytes);
 * ```
 */
export type WasmModule = object;
/**
 * A shared WebAssembly memory (a `WebAssembly.Memory` created with `shared: true`).
 *
 * @example
 * ```ts
 * const memory: WasmMemory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
 * ```
 */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}
/**
 * The exports of a WebAssembly instance (`instance.exports`).
 *
 * @example
 * ```ts
 * const exports: WasmExports = new WebAssembly.Instance(module, { env: { memory } }).exports;
 * ```
 */
export type WasmExports = Readonly<Record<string, unknown>>;

interface WasmApi {
  Module: { imports(module: object): { module: string; name: string; kind: string }[] };
}

/**
 * Options of {@link createThreadPool}.
 *
 * @example
 * ```ts
 * const options: ThreadPoolOptions = {
 *   module, memory, exports: instance.exports,
 *   kernels: ['matmul'],                       // run(0, …) runs matmul
 *   threads: Math.min(4, os.availableParallelism()),
 *   scratch: { base: scratchPtr, bytesPerThread: (instance.exports.matmulScratchBytes as () => number)() },
 *   workerSpinMicros: 0,                       // e.g. on a machine shared with other busy processes
 * };
 * ```
 */
export interface ThreadPoolOptions {
  /** The compiled module; every worker instantiates it. It may import only `env.memory` and `env.abort`. */
  module: WasmModule;
  /** The shared memory the module imports as `env.memory`; every worker instantiates over it. */
  memory: WasmMemory;
  /** The exports of the caller's own instance of `module`: part 0 runs there, on the calling thread. */
  exports: WasmExports;
  /** Export names of the kernels, by index: `run(kernel, …)` runs `kernels[kernel]`. */
  kernels: readonly string[];
  /** Threads in all, the calling thread included (it runs part 0); `threads − 1` workers are started. */
  threads: number;
  /** Per-thread scratch in `memory`: thread t's region starts at `base + t · bytesPerThread`. */
  scratch: { base: number; bytesPerThread: number };
  /**
   * How long a worker keeps polling for the next run after finishing a part before it sleeps in
   * `Atomics.wait`, in µs (default 300: between one training step's last product and the next
   * step's first, the caller updates the parameters, checks the gradients and copies the next
   * batch in, about 100 µs for a 784-128-10 MLP). Kernel calls closer together than this find it awake
   * (≈ 1 µs round trip instead of a wake-up from `Atomics.wait`, ≈ 55 µs on a 2-core VM), at the
   * price of up to this much CPU after each run. Use 0 when there are more busy threads than cores:
   * a polling worker then takes the core the caller needs.
   */
  workerSpinMicros?: number;
  /**
   * How long the caller polls for the workers' parts before sleeping in `Atomics.wait`, in µs
   * (default 200: longer than a worker's wake-up, so the caller itself is rarely put to sleep). A
   * thread that may not wait, such as a browser's main thread, always polls.
   */
  callerSpinMicros?: number;
  /** How long the first `run` waits for the workers to start before it throws, in ms (default 10 000). */
  startTimeoutMs?: number;
}

/**
 * A fixed set of threads that run one wasm export at a time, split in parts: part 0 on the calling
 * thread, part t on worker t. Made by {@link createThreadPool}.
 *
 * @example
 * ```ts
 * // out = A·B with the GEMM of assembly/matmul.ts on every thread
 * pool.args.set([aPtr, bPtr, outPtr, m, n, k, 0, 0, 0]); // a, b, out, m, n, k, transA, transB, accumulate
 * pool.run(0, 9, pool.threads); // matmul(…9 args, scratch(part), part, parts) on each thread
 * ```
 */
export interface ThreadPool {
  /** Threads in all, the calling thread (part 0) included. */
  readonly threads: number;
  /**
   * The arguments of the next {@link ThreadPool.run}, written in place by the caller (numbers:
   * pointers and sizes as integers; i32 parameters take them modulo 2³²). Holds up to 16.
   */
  readonly args: Float64Array;
  /**
   * Runs `kernels[kernel](args[0], …, args[argc − 1], scratch(part), part, parts)` for part = 0 …
   * parts − 1, part 0 on the calling thread and part t on worker t, and returns when all are done.
   * `parts` is 1 … threads (fewer parts than threads leaves the other workers asleep). Allocates
   * nothing. Blocks the calling thread; the first call waits for the workers to start.
   *
   * @throws Error if a part threw (a wasm trap; the worker's message is in the error's message;
   * part 0's own error is rethrown as is; the pool stays usable), or if the pool is closed or
   * broken (a worker failed to start or died); RangeError on a bad kernel, argc or parts.
   *
   * @example
   * ```ts
   * pool.args[0] = xPtr; pool.args[1] = n;   // a kernel f(x, n, scratch, part, parts)
   * pool.run(1, 2, n < 4096 ? 1 : pool.threads); // small sizes: no dispatch at all
   * ```
   */
  run(kernel: number, argc: number, parts: number): void;
  /**
   * Resolves when every worker has instantiated the module (rejects if one failed). Optional in
   * Node, where the first `run` waits; on a browser's main thread, where workers may start only
   * once the page returns to its event loop and `run` cannot wait, await it before the first `run`.
   *
   * @example
   * ```ts
   * const pool = createThreadPool(options);
   * await pool.ready(); // needed before the first run() on a browser's main thread
   * ```
   */
  ready(): Promise<void>;
  /**
   * True once every worker has started, without waiting for it (false on a broken or closed
   * pool). A caller that must never block — a worker whose own workers can start only once it
   * yields, as in browsers — runs its parts on one thread until this is true.
   *
   * @example
   * ```ts
   * pool.run(0, 9, pool.isStarted() ? pool.threads : 1);
   * ```
   */
  isStarted(): boolean;
  /**
   * Terminates the workers. `run` throws afterwards; calling `close` again does nothing. An unclosed
   * pool does not keep a Node process alive.
   *
   * @example
   * ```ts
   * try { pool.run(0, 9, pool.threads); } finally { pool.close(); }
   * ```
   */
  close(): void;
}

type Kernel = (...args: unknown[]) => unknown;

/** The one member of a Node `Worker` or a browser `Worker` the pool calls after starting it. */
interface Terminable {
  terminate(): unknown;
}
interface BrowserWorker extends Terminable {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
}
type BrowserWorkerConstructor = new (url: string, options?: { name?: string }) => BrowserWorker;

interface WorkerMessage {
  type: 'ready' | 'fatal';
  index: number;
  message?: string;
}

/** Whether this thread may block in `Atomics.wait` (not so on a browser's main thread). */
let canWaitCache: boolean | undefined;
function canWait(): boolean {
  if (canWaitCache === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // "not-equal" at once where allowed
      canWaitCache = true;
    } catch {
      canWaitCache = false;
    }
  }
  return canWaitCache;
}

function integer(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`createThreadPool: ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

function micros(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value >= 0 && value <= 1e9)) throw new RangeError(`createThreadPool: ${name} must be ≥ 0, got ${String(value)}`);
  return value;
}

class WasmThreadPool implements ThreadPool {
  readonly threads: number;
  readonly args: Float64Array;
  private readonly ctl: Int32Array;
  private readonly errorText: Uint16Array;
  private readonly fatalText: Uint16Array;
  private readonly fns: Kernel[];
  private readonly kernelNames: readonly string[];
  private readonly scratchBase: number;
  private readonly callerSpinMs: number;
  /** callerSpinMs as a count of polls, once calibrated (at the first run). */
  private callerSpinPolls = 0;
  private readonly startTimeoutMs: number;
  private readonly canWait: boolean;
  private readonly workers: Terminable[] = [];
  private readonly readyPromise: Promise<void>;
  private resolveReady: () => void = () => {};
  private rejectReady: (e: Error) => void = () => {};
  private readyCount = 0;
  private settled = false;
  /** Node workers, unref'd; ref'd only while someone awaits ready(). */
  private readonly nodeWorkers: { ref(): void; unref(): void }[] = [];
  private gen = 0;
  private started: boolean;
  /** Why the pool cannot run any more (closed, or a worker failed); undefined while it can. */
  private broken: string | undefined;
  private closed = false;
  private blobUrl: string | undefined;

  constructor(options: ThreadPoolOptions) {
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasm === undefined) throw new Error('createThreadPool: this environment has no WebAssembly');
    if (typeof SharedArrayBuffer !== 'function') {
      throw new Error(
        'createThreadPool: SharedArrayBuffer is not available (in a browser the page must be cross-origin isolated: ' +
          'served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
      );
    }
    const { module, memory, exports, kernels } = options;
    if (!(memory.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError('createThreadPool: memory must be a shared WebAssembly.Memory (created with shared: true)');
    }
    for (const imp of wasm.Module.imports(module)) {
      if (!(imp.module === 'env' && (imp.name === 'memory' || imp.name === 'abort'))) {
        throw new TypeError(`createThreadPool: the module imports ${imp.module}.${imp.name}; workers can provide only env.memory and env.abort`);
      }
    }
    const threads = integer('threads', options.threads, 1);
    this.threads = threads;
    const scratchBase = integer('scratch.base', options.scratch.base, 0);
    const scratchBytes = integer('scratch.bytesPerThread', options.scratch.bytesPerThread, 0);
    this.scratchBase = scratchBase;
    this.kernelNames = kernels.slice();
    this.fns = kernels.map((name) => {
      const f = exports[name];
      if (typeof f !== 'function') throw new TypeError(`createThreadPool: exports has no function ${JSON.stringify(name)}`);
      return f as Kernel;
    });
    const workerSpinMs = micros('workerSpinMicros', options.workerSpinMicros, 300) / 1000;
    this.callerSpinMs = micros('callerSpinMicros', options.callerSpinMicros, 200) / 1000;
    this.startTimeoutMs = micros('startTimeoutMs', options.startTimeoutMs, 10_000);
    this.canWait = canWait();

    const layout = controlLayout(threads);
    const control = new SharedArrayBuffer(layout.bytes);
    this.ctl = new Int32Array(control);
    this.args = new Float64Array(control, layout.args, MAX_KERNEL_ARGS);
    this.errorText = new Uint16Array(control, layout.errorText, MESSAGE_CHARS);
    this.fatalText = new Uint16Array(control, layout.fatalText, MESSAGE_CHARS);
    this.started = threads === 1;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.resolveReady = () => {
        this.settled = true;
        resolve();
      };
      this.rejectReady = (e) => {
        this.settled = true;
        reject(e);
      };
    });
    this.readyPromise.catch(() => {}); // rejection is reported by run() and by ready(), never unhandled
    if (threads === 1) this.resolveReady();

    const data = (index: number): Record<string, unknown> => ({
      index,
      threads,
      module,
      memory,
      control,
      kernels: this.kernelNames,
      scratchBase,
      scratchBytes,
      spinMs: workerSpinMs,
      layout,
    });
    try {
      const nodeProcess = (globalThis as { process?: NodeJS.Process }).process;
      if (nodeProcess?.versions?.node !== undefined) {
        if (typeof nodeProcess.getBuiltinModule !== 'function') {
          throw new Error(`createThreadPool: needs Node 20.16 or later (process.getBuiltinModule), this is ${nodeProcess.version}`);
        }
        const { Worker } = nodeProcess.getBuiltinModule('node:worker_threads');
        for (let w = 1; w < threads; w++) {
          const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: data(w), name: `gradstream-wasm-${w}` });
          worker.on('message', (m: WorkerMessage) => this.onMessage(m));
          worker.on('error', (e: Error) => this.fail(`worker ${w} failed: ${e.stack ?? e.message}`));
          worker.on('exit', (code: number) => this.fail(`worker ${w} exited (code ${code})`));
          // After the listeners: adding a 'message' listener refs the worker's port again.
          worker.unref();
          this.workers.push(worker);
          this.nodeWorkers.push(worker);
        }
      } else if (threads > 1) {
        const BrowserWorker = (globalThis as { Worker?: BrowserWorkerConstructor }).Worker;
        if (BrowserWorker === undefined) throw new Error('createThreadPool: this environment has no Worker');
        this.blobUrl = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
        for (let w = 1; w < threads; w++) {
          const worker = new BrowserWorker(this.blobUrl, { name: `gradstream-wasm-${w}` });
          worker.onmessage = (e) => this.onMessage(e.data as WorkerMessage);
          worker.onerror = (e) => this.fail(`worker ${w} failed: ${e.message ?? 'error event'}`);
          worker.postMessage(data(w));
          this.workers.push(worker);
        }
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  run(kernel: number, argc: number, parts: number): void {
    if (this.broken !== undefined) throw new Error(this.broken);
    if (!this.started) this.awaitStart();
    const fn = this.fns[kernel];
    if (fn === undefined) throw new RangeError(`ThreadPool.run: no kernel ${kernel} (there are ${this.fns.length})`);
    if (!(argc >= 0 && argc <= MAX_KERNEL_ARGS && (argc | 0) === argc)) {
      throw new RangeError(`ThreadPool.run: argc must be an integer in 0 … ${MAX_KERNEL_ARGS}, got ${argc}`);
    }
    if (!(parts >= 1 && parts <= this.threads && (parts | 0) === parts)) {
      throw new RangeError(`ThreadPool.run: parts must be an integer in 1 … ${this.threads}, got ${parts}`);
    }
    const ctl = this.ctl;
    const workers = parts - 1;
    if (workers > 0) {
      ctl[SLOT.KERNEL] = kernel;
      ctl[SLOT.ARGC] = argc;
      ctl[SLOT.PARTS] = parts;
      Atomics.store(ctl, SLOT.PENDING, workers);
      const gen = (this.gen = (this.gen + 1) | 0);
      for (let w = 1; w <= workers; w++) {
        const slot = SLOT.WORKER + (w - 1) * LINE;
        Atomics.store(ctl, slot, gen);
        if (Atomics.load(ctl, slot + 1) !== 0) Atomics.notify(ctl, slot, 1);
      }
    }
    let failed = false;
    let error: unknown;
    try {
      invoke(fn, argc, this.args, this.scratchBase, parts);
    } catch (e) {
      failed = true;
      error = e;
    }
    if (workers > 0) {
      this.awaitParts();
      const errorPart = Atomics.load(ctl, SLOT.ERROR);
      if (errorPart !== 0) {
        const text = this.readText(this.errorText, SLOT.ERROR_LEN);
        Atomics.store(ctl, SLOT.ERROR_LEN, 0);
        Atomics.store(ctl, SLOT.ERROR, 0);
        // Part 0's own error, if it has one, is the one thrown (with its stack on this thread).
        if (!failed) {
          throw new Error(`ThreadPool.run: kernel ${JSON.stringify(this.kernelNames[kernel])} failed in part ${errorPart - 1} of ${parts} (worker thread): ${text}`);
        }
      }
    }
    if (failed) throw error;
  }

  isStarted(): boolean {
    if (this.broken !== undefined) return false;
    if (!this.started && Atomics.load(this.ctl, SLOT.READY) >= this.threads - 1 && Atomics.load(this.ctl, SLOT.FATAL) === 0) {
      this.started = true;
      this.resolveReady();
    }
    return this.started;
  }

  ready(): Promise<void> {
    if (!this.settled && this.nodeWorkers.length > 0) {
      // The workers are unref'd: keep the process alive until their 'ready' messages arrive.
      for (const w of this.nodeWorkers) w.ref();
      const unref = (): void => {
        for (const w of this.nodeWorkers) w.unref();
      };
      this.readyPromise.then(unref, unref);
    }
    return this.readyPromise;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.broken ??= 'ThreadPool is closed';
    Atomics.store(this.ctl, SLOT.CLOSE, 1);
    for (let w = 1; w <= this.workers.length; w++) {
      const slot = SLOT.WORKER + (w - 1) * LINE;
      Atomics.add(this.ctl, slot, 1);
      Atomics.notify(this.ctl, slot);
    }
    for (const worker of this.workers.splice(0)) void worker.terminate();
    if (this.blobUrl !== undefined) URL.revokeObjectURL(this.blobUrl);
    this.blobUrl = undefined;
    this.rejectReady(new Error(this.broken));
  }

  /** Waits until the workers' parts are done; throws if a worker died meanwhile. */
  private awaitParts(): void {
    const ctl = this.ctl;
    let pending: number;
    // Poll for a while (a count of polls: no clock, nothing allocated), then sleep; a thread that
    // may not wait polls on, checking for a dead worker every 4096 polls.
    let budget = this.canWait ? this.callerSpinPolls : 0;
    while (budget > 0 && (pending = Atomics.load(ctl, SLOT.PENDING)) !== 0) {
      budget -= pollFor(ctl, SLOT.PENDING, pending, budget) + 1;
    }
    while ((pending = Atomics.load(ctl, SLOT.PENDING)) !== 0 && Atomics.load(ctl, SLOT.FATAL) === 0) {
      if (this.canWait) {
        Atomics.store(ctl, SLOT.CALLER_SLEEPING, 1);
        Atomics.wait(ctl, SLOT.PENDING, pending, 100);
        Atomics.store(ctl, SLOT.CALLER_SLEEPING, 0);
      } else {
        pollFor(ctl, SLOT.PENDING, pending, 4096);
      }
    }
    if (Atomics.load(ctl, SLOT.FATAL) !== 0) this.failFromWorker();
  }

  /** The first `run`: waits until every worker has instantiated the module. */
  private awaitStart(): void {
    const ctl = this.ctl;
    // Calibrated while the workers start (they take tens of ms in Node).
    if (this.callerSpinMs > 0 && this.canWait) this.callerSpinPolls = Math.round(this.callerSpinMs * calibratePolls(ctl, SLOT.QUIET));
    const expected = this.threads - 1;
    const t0 = performance.now();
    // A browser's main thread cannot wait, and its workers may start only once it yields: poll briefly.
    const limit = this.canWait ? this.startTimeoutMs : Math.min(this.startTimeoutMs, 50);
    let ready: number;
    while ((ready = Atomics.load(ctl, SLOT.READY)) < expected && Atomics.load(ctl, SLOT.FATAL) === 0) {
      const left = limit - (performance.now() - t0);
      if (left <= 0) {
        const message = this.canWait
          ? `ThreadPool: ${expected - ready} of ${expected} workers did not start within ${this.startTimeoutMs} ms`
          : `ThreadPool: ${expected - ready} of ${expected} workers have not started yet; on a browser's main thread, await pool.ready() before the first run()`;
        if (this.canWait) this.fail(message);
        throw new Error(message);
      }
      if (this.canWait) Atomics.wait(ctl, SLOT.READY, ready, Math.min(left, 100));
    }
    if (Atomics.load(ctl, SLOT.FATAL) !== 0) this.failFromWorker();
    this.started = true;
    this.resolveReady();
  }

  private readText(chars: Uint16Array, lenSlot: number): string {
    const n = Atomics.load(this.ctl, lenSlot);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(chars[i] ?? 63);
    return s;
  }

  /** A worker recorded a fatal error: break the pool and throw its message. */
  private failFromWorker(): never {
    const message = `ThreadPool is broken: ${this.readText(this.fatalText, SLOT.FATAL_LEN)}`;
    this.fail(message);
    throw new Error(message);
  }

  /** Marks the pool broken (first reason wins), terminates the workers and rejects ready(). */
  private fail(message: string): void {
    if (this.broken !== undefined) return;
    this.broken = message.startsWith('ThreadPool') ? message : `ThreadPool is broken: ${message}`;
    this.close();
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type === 'ready') {
      if (++this.readyCount === this.threads - 1) this.resolveReady();
    } else {
      this.fail(`ThreadPool is broken: ${m.message ?? `worker ${m.index} failed`}`);
    }
  }
}

/** Polls `ctl[slot]` up to `polls` times; returns how many polls saw `value`. Same as the worker's. */
function pollFor(ctl: Int32Array, slot: number, value: number, polls: number): number {
  for (let i = 0; i < polls; i++) if (Atomics.load(ctl, slot) !== value) return i;
  return polls;
}

/** Polls per ms of {@link pollFor} on this thread, once optimized (best of three timings). */
function calibratePolls(ctl: Int32Array, quiet: number): number {
  for (let r = 0; r < 16; r++) pollFor(ctl, quiet, 0, 16384);
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    pollFor(ctl, quiet, 0, 131072);
    const dt = performance.now() - t;
    if (dt > 0 && 131072 / dt > best) best = 131072 / dt;
  }
  return Math.min(Math.max(best || POLLS_PER_MS_RANGE[1], POLLS_PER_MS_RANGE[0]), POLLS_PER_MS_RANGE[1]);
}

/** Part 0 on the calling thread: a fixed-arity call per argc, so nothing is allocated. */
function invoke(f: Kernel, argc: number, a: Float64Array, s: number, parts: number): void {
  switch (argc) {
    case 0: f(s, 0, parts); return;
    case 1: f(a[0], s, 0, parts); return;
    case 2: f(a[0], a[1], s, 0, parts); return;
    case 3: f(a[0], a[1], a[2], s, 0, parts); return;
    case 4: f(a[0], a[1], a[2], a[3], s, 0, parts); return;
    case 5: f(a[0], a[1], a[2], a[3], a[4], s, 0, parts); return;
    case 6: f(a[0], a[1], a[2], a[3], a[4], a[5], s, 0, parts); return;
    case 7: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], s, 0, parts); return;
    case 8: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], s, 0, parts); return;
    case 9: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], s, 0, parts); return;
    case 10: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], s, 0, parts); return;
    case 11: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], s, 0, parts); return;
    case 12: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], s, 0, parts); return;
    case 13: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], s, 0, parts); return;
    case 14: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], s, 0, parts); return;
    case 15: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], s, 0, parts); return;
    default: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], s, 0, parts);
  }
}

/**
 * Starts `threads − 1` workers that each instantiate `module` over the shared `memory`, and returns
 * the pool that dispatches kernels to them (see {@link ThreadPool}). The workers are created
 * synchronously and never keep a Node process alive; the first `run` waits until they have started
 * (in a browser's main thread, `await pool.ready()` first). Needs `SharedArrayBuffer` (in browsers:
 * a cross-origin isolated page) and, in Node, 20.16 or later.
 *
 * @throws RangeError / TypeError on bad options; Error if workers cannot be created here.
 *
 * @example
 * ```ts
 * const module = new WebAssembly.Module(bytes);
 * const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
 * const { exports } = new WebAssembly.Instance(module, { env: { memory } });
 * const pool = createThreadPool({
 *   module, memory, exports, kernels: ['matmul'], threads: 2,
 *   scratch: { base: scratchPtr, bytesPerThread: (exports.matmulScratchBytes as () => number)() },
 * });
 * pool.args.set([aPtr, bPtr, outPtr, m, n, k, 0, 0, 0]);
 * pool.run(0, 9, 2);
 * pool.close();
 * ```
 */
export function createThreadPool(options: ThreadPoolOptions): ThreadPool {
  return new WasmThreadPool(options);
}
