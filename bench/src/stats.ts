/** The middle value (mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * What a row measures: which library, on which backend (and thread count), through which code
 * path (`plan`, `fit`, `loop`, `model.fit`, `trainPattern`, `kernel`; see the README).
 */
export interface RowInfo {
  readonly library: string;
  readonly backend: string;
  readonly path: string;
}

/**
 * One library's way of doing a workload. `run(n)` does n iterations of the work (training steps,
 * epochs, samples, multiplies); `perIteration` turns iterations/s into the reported unit (samples
 * per step or per epoch, GFLOP per multiply). `prepare` runs untimed before each repetition (e.g.
 * selecting a TF.js backend).
 */
export interface Candidate extends RowInfo {
  readonly name: string;
  readonly unit: string;
  readonly perIteration: number;
  /** What one iteration is, for the results file (default `step`). */
  readonly iteration?: string;
  readonly prepare?: () => void | Promise<void>;
  readonly run: (n: number) => void | Promise<void>;
}

/** A candidate's measured rates, one per repetition, in its unit, and their median. */
export interface Measurement extends RowInfo {
  readonly unit: string;
  readonly median: number;
  readonly reps: readonly number[];
  /** Iterations per timed call, found while warming up. */
  readonly chunk: number;
  /** What one iteration is (`step`, `epoch of 8000 samples`, `multiply`). */
  readonly iteration: string;
  /** Units (samples, GFLOP) per iteration: with a rate, it gives the time of one iteration. */
  readonly perIteration: number;
}

/**
 * Milliseconds a measurement's row took per `units` of its work (default: per iteration; e.g. 64
 * samples for one training step): the median over its repetitions, and their range.
 */
export function msPer(m: Measurement, units: number = m.perIteration): { readonly median: number; readonly min: number; readonly max: number } {
  const ms = m.reps.map((rate) => (1000 * units) / rate);
  return { median: median(ms), min: Math.min(...ms), max: Math.max(...ms) };
}

/** How long and how often to measure. */
export interface TimingOptions {
  /** Timed repetitions per candidate (the median is reported). */
  readonly reps: number;
  /**
   * Each repetition runs whole chunks until at least this many milliseconds have passed. With 0,
   * a repetition is exactly one call of one iteration (e.g. one epoch through a `fit` call).
   */
  readonly minMs: number;
  /**
   * Untimed calls before the first repetition, counting those that sized the chunk, last at least
   * this long (default `minMs`: one repetition's worth).
   */
  readonly warmupMs?: number;
  /** Iterations per call, fixed: skips the sizing calls (the caller has warmed the candidates up). */
  readonly chunk?: number;
  /**
   * A candidate stops repeating once its timed repetitions have taken this long in all, after at
   * least 3 (default: no limit). It caps the time spent on rows whose single call takes seconds.
   */
  readonly maxMs?: number;
}

const call = async (c: Candidate, n: number): Promise<void> => {
  const p = c.run(n);
  if (p !== undefined) await p;
};

/**
 * Times every candidate `reps` times, interleaved (rep 1 of each, then rep 2 of each, the order
 * rotated every round) so drift in the machine's load is spread over all of them rather than
 * landing on one. Warming up grows each candidate's chunk until a call takes a tenth of `minMs`
 * (unless `chunk` fixes it), then keeps calling, untimed, until `warmupMs` have passed, so the JIT
 * and caches settle before anything counts. A candidate that has used up `maxMs` (after 3
 * repetitions) sits out the rest.
 */
export async function measureInterleaved(candidates: readonly Candidate[], options: TimingOptions): Promise<Record<string, Measurement>> {
  const chunks = new Map<Candidate, number>();
  const warmupMs = options.warmupMs ?? options.minMs;
  for (const c of candidates) {
    await c.prepare?.();
    const w0 = performance.now();
    let n = options.chunk ?? 1;
    while (options.chunk === undefined) {
      const t0 = performance.now();
      await call(c, n);
      if (performance.now() - t0 >= options.minMs / 10 || n >= 1 << 24) break;
      n *= 2;
    }
    chunks.set(c, n);
    while (performance.now() - w0 < warmupMs) await call(c, n);
  }
  const rates = new Map<Candidate, number[]>(candidates.map((c) => [c, []]));
  const spent = new Map<Candidate, number>(candidates.map((c) => [c, 0]));
  for (let r = 0; r < options.reps; r++) {
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(i + r) % candidates.length] as Candidate;
      const reps = rates.get(c) as number[];
      if (options.maxMs !== undefined && reps.length >= 3 && (spent.get(c) as number) >= options.maxMs) continue;
      await c.prepare?.();
      const t0 = performance.now();
      reps.push(await timedRep(c, chunks.get(c) as number, options.minMs));
      spent.set(c, (spent.get(c) as number) + performance.now() - t0);
    }
  }
  const out: Record<string, Measurement> = {};
  for (const c of candidates) {
    const reps = rates.get(c) as number[];
    out[c.name] = {
      library: c.library,
      backend: c.backend,
      path: c.path,
      unit: c.unit,
      iteration: c.iteration ?? 'step',
      perIteration: c.perIteration,
      median: median(reps),
      reps,
      chunk: chunks.get(c) as number,
    };
  }
  return out;
}

/** Runs whole chunks for at least `minMs`; returns the rate in the candidate's unit per second. */
async function timedRep(c: Candidate, chunk: number, minMs: number): Promise<number> {
  let done = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    await call(c, chunk);
    done += chunk;
    elapsed = performance.now() - t0;
  } while (elapsed < minMs);
  return ((done / elapsed) * 1000) * c.perIteration;
}
