/** The middle value (mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * One library's way of doing a workload. `run(n)` does n iterations of the work (training steps,
 * samples, multiplies); `perIteration` turns iterations/s into the reported unit (samples per step,
 * GFLOP per multiply). `prepare` runs untimed before each repetition (e.g. selecting a TF.js backend).
 */
export interface Candidate {
  readonly name: string;
  readonly unit: string;
  readonly perIteration: number;
  readonly prepare?: () => void | Promise<void>;
  readonly run: (n: number) => void | Promise<void>;
}

/** A candidate's measured rates, one per repetition, in its unit, and their median. */
export interface Measurement {
  readonly unit: string;
  readonly median: number;
  readonly reps: readonly number[];
  /** Iterations per timed call, found while warming up. */
  readonly chunk: number;
}

/** How long and how often to measure. */
export interface TimingOptions {
  /** Timed repetitions per candidate (the median is reported). */
  readonly reps: number;
  /** Each repetition runs whole chunks until at least this many milliseconds have passed. */
  readonly minMs: number;
}

const call = async (c: Candidate, n: number): Promise<void> => {
  const p = c.run(n);
  if (p !== undefined) await p;
};

/**
 * Times every candidate `reps` times, interleaved (rep 1 of each, then rep 2 of each, the order
 * rotated every round) so drift in the machine's load is spread over all of them rather than
 * landing on one. Warming up grows each candidate's chunk until a call takes a tenth of `minMs`,
 * then runs one untimed repetition, so the JIT and caches settle before anything counts.
 */
export async function measureInterleaved(candidates: readonly Candidate[], options: TimingOptions): Promise<Record<string, Measurement>> {
  const chunks = new Map<Candidate, number>();
  for (const c of candidates) {
    await c.prepare?.();
    let n = 1;
    for (;;) {
      const t0 = performance.now();
      await call(c, n);
      if (performance.now() - t0 >= options.minMs / 10 || n >= 1 << 24) break;
      n *= 2;
    }
    chunks.set(c, n);
    await timedRep(c, n, options.minMs);
  }
  const rates = new Map<Candidate, number[]>(candidates.map((c) => [c, []]));
  for (let r = 0; r < options.reps; r++) {
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(i + r) % candidates.length] as Candidate;
      await c.prepare?.();
      (rates.get(c) as number[]).push(await timedRep(c, chunks.get(c) as number, options.minMs));
    }
  }
  const out: Record<string, Measurement> = {};
  for (const c of candidates) {
    const reps = rates.get(c) as number[];
    out[c.name] = { unit: c.unit, median: median(reps), reps, chunk: chunks.get(c) as number };
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
