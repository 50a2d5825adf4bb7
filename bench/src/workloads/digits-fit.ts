import { PIXELS, CLASSES, loadDigits, type Digits } from '../data/mnist.js';
import { GRADSTREAM_CONFIGS, backendLabel, gradstreamDigitsFit, gradstreamDigitsInit, type DigitsScore } from '../peers/gradstream.js';
import { tfjsDigitsFit, type TfBackend } from '../peers/tfjs.js';
import type { DigitsTask, Trainer } from '../nets.js';
import { measureInterleaved, type Measurement } from '../stats.js';
import { PATHS, candidates, disposeRows, type Row } from './rows.js';

/** The digits-fit workload's size and its sanity thresholds. */
export interface DigitsFitOptions {
  /** Training digits: one epoch is one pass over them (the mlp workload's digits when equal to its `samples`). */
  readonly samples: number;
  /** Digits after the training ones, never trained on, scored after the first epoch. */
  readonly heldOut: number;
  readonly batchSize: number;
  readonly hidden: number;
  /** Adam's learning rate, the same in every library. */
  readonly lr: number;
  readonly seed: number;
  /** Timed epochs per row (each one `fit` call of one epoch). */
  readonly reps: number;
  /** Untimed epochs per row, the check's first epoch included, until this many milliseconds have passed. */
  readonly warmupMs: number;
  /** A row stops repeating once its timed epochs have taken this long, after at least 3. */
  readonly maxMs?: number;
  /** The check passes when every row's held-out accuracy is at least this … */
  readonly minAccuracy: number;
  /** … and every row's epoch loss is within this relative distance of `gradstream-fit`'s. */
  readonly lossTolerance: number;
}

/** Samples/s of one epoch through each library's public training call, and the check after the first epoch. */
export interface DigitsFitResult {
  readonly raw: Record<string, Measurement>;
  /** Per row, after one epoch from the same weights: the epoch's mean loss and the held-out loss and accuracy. */
  readonly scores: Record<string, DigitsScore>;
  readonly minAccuracy: number;
  readonly lossTolerance: number;
  /** Whether every row passed both thresholds. */
  readonly sane: boolean;
}

const TFJS_BACKENDS: readonly TfBackend[] = ['cpu', 'wasm'];

/** The first `n` digits of a set, and the rest, as views. */
function split(all: Digits, n: number): [Digits, Digits] {
  const part = (from: number, to: number): Digits => ({
    size: to - from,
    x: all.x.subarray(from * PIXELS, to * PIXELS),
    y: all.y.subarray(from * CLASSES, to * CLASSES),
    labels: all.labels.subarray(from, to),
  });
  return [part(0, n), part(n, all.size)];
}

/**
 * The digits example's network (without its dropout) trained for one epoch through the public
 * call of each library, from gradstream's initial weights, the digits in the same order: first
 * the check (every row's first epoch, then held-out scoring), then untimed warm-up epochs and
 * timed epochs on the same models, one `fit` call of one epoch per repetition.
 */
export async function digitsFitWorkload(options: DigitsFitOptions): Promise<DigitsFitResult> {
  const [data, heldOut] = split(loadDigits(options.samples + options.heldOut, options.seed), options.samples);
  const task: DigitsTask = { data, heldOut, batchSize: options.batchSize, lr: options.lr, init: gradstreamDigitsInit(options.hidden, options.seed) };
  const epoch = { perIteration: data.size, iteration: `epoch of ${data.size} samples` };
  const rows: (Row & { trainer: Trainer & { score: () => DigitsScore } })[] = [];
  for (const c of GRADSTREAM_CONFIGS) {
    rows.push({ name: `gradstream${c.suffix}-fit`, library: 'gradstream', backend: backendLabel(c), path: PATHS.fit, trainer: gradstreamDigitsFit(c, task), ...epoch });
  }
  for (const b of TFJS_BACKENDS) {
    rows.push({ name: `tfjs-${b}-fit`, library: 'tfjs', backend: b, path: PATHS.modelFit, trainer: await tfjsDigitsFit(b, task), ...epoch });
  }
  const scores: Record<string, DigitsScore> = {};
  for (const r of rows) {
    await r.trainer.prepare?.();
    const t0 = performance.now();
    await r.trainer.run(1);
    const checkMs = performance.now() - t0;
    scores[r.name] = r.trainer.score();
    // The check's epoch is the first of the warm-up.
    const w0 = performance.now() - checkMs;
    while (performance.now() - w0 < options.warmupMs) await r.trainer.run(1);
  }
  const base = scores['gradstream-fit']?.epochLoss ?? Number.NaN;
  const sane = Object.values(scores).every(
    (s) => s.heldOutAccuracy >= options.minAccuracy && Math.abs(s.epochLoss - base) <= options.lossTolerance * Math.abs(base),
  );
  // A repetition is exactly one call of one epoch (chunk 1, minMs 0); the rows are warm already.
  const timing = { reps: options.reps, minMs: 0, chunk: 1, warmupMs: 0, ...(options.maxMs === undefined ? {} : { maxMs: options.maxMs }) };
  const raw = await measureInterleaved(candidates(rows, 'samples/s'), timing);
  disposeRows(rows);
  return { raw, scores, minAccuracy: options.minAccuracy, lossTolerance: options.lossTolerance, sane };
}
