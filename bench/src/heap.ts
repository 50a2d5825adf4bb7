/*
 * Heap use over a long run of the lesson's network through `fit` (events, checks and all):
 * 100,000 SGD steps on the lesson's sample (100 epochs over 1,000 copies of it, batch 1),
 * a forced GC then `heapUsed` every 10,000 steps. Flat numbers mean a steady-state step leaves
 * nothing behind. Run with `pnpm --filter @gradstream/bench heap` (needs --expose-gc, set there).
 */
import { filter, lastValueFrom, tap } from 'rxjs';
import { sequential } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { fit, sgd, type BatchEvent } from '@gradstream/trainer';
import { LESSON } from './nets.js';

const STEPS = 100_000;
const EVERY = 10_000;
// The run keeps one small summary per epoch (its history), so steps are spread over few epochs.
const COPIES = 1_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const constant = (value: number) => ({ type: 'constant', value }) as const;
const model = sequential(
  [
    linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(LESSON.w1), biasInit: constant(LESSON.b1) }),
    sigmoid(),
    linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(LESSON.w2), biasInit: constant(LESSON.b2) }),
  ],
  { inputShape: [1], loss: mse() },
);
const samples: { step: number; heapKiB: number }[] = [];
const sample = (step: number): void => {
  gc();
  samples.push({ step, heapKiB: Math.round(process.memoryUsage().heapUsed / 1024) });
};
sample(0);
const started = performance.now();
await lastValueFrom(
  fit(model, { x: new Float32Array(COPIES).fill(LESSON.x), y: new Float32Array(COPIES).fill(LESSON.y) }, {
    epochs: STEPS / COPIES,
    batchSize: 1,
    shuffle: false,
    optimizer: sgd({ lr: LESSON.lr }),
  }).pipe(
    filter((e): e is BatchEvent => e.type === 'batch'),
    tap((e) => {
      if (e.step % EVERY === 0) sample(e.step);
    }),
  ),
);
const seconds = (performance.now() - started) / 1000;
for (const s of samples) console.log(`step ${String(s.step).padStart(6)}  heapUsed ${s.heapKiB} KiB`);
const after = samples.slice(1).map((s) => s.heapKiB);
const spread = Math.max(...after) - Math.min(...after);
console.log(`\n${STEPS} steps through fit in ${seconds.toFixed(1)} s; heapUsed from step ${EVERY} on stays within ${spread} KiB (first ${after[0]} KiB, last ${after[after.length - 1]} KiB)`);
