/*
 * Long runs leave memory flat: the JavaScript heap over 100,000 lesson steps and 2,000 digits
 * steps through `fit`, the wasm backend's memory over repeated runs and over predictions at 200
 * batch sizes; runs that end or are unsubscribed let go of what they made, and a model's plans
 * and buffers go when the model drops them or is dropped itself.
 *
 * Heap figures are `heapUsed` after forced collections. Step counts scale for a longer soak:
 *   GRADSTREAM_SOAK_SCALE=10 npx vitest run test/soak.test.ts
 */
import { Subject, filter, firstValueFrom, lastValueFrom, take, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { lessonData, lessonModel } from '@gradstream/cli';
import { digits, type DigitSplit } from '@gradstream/datasets/digits';
import { Rng, Tensor } from '@gradstream/tensor';
import { adam, fit, sgd, type TrainCommand, type TrainEvent } from '@gradstream/trainer';
import { digitsModel } from '../examples/digits/src/model.js';
import { recordFigure } from './support/figures.js';
// Internal: the wasm memory's own accounting is not exported from the package, so read from its source.
import { WasmRuntime } from '../packages/backend-wasm/src/runtime.js';
import { gc, heapAfterGc } from './support/gc.js';

const SCALE = Number(process.env.GRADSTREAM_SOAK_SCALE ?? 1);
/** Heap samples over the lesson's run, one per tenth. */
const LESSON_SAMPLES = 10;
const LESSON_STEPS = Math.max(1, Math.round((100_000 * SCALE) / LESSON_SAMPLES)) * LESSON_SAMPLES;
const DIGITS_STEPS = Math.max(1, Math.round(2_000 * SCALE));
/** A longer soak gets a longer time limit. */
const TIMEOUT_MS = 60_000 * Math.max(1, SCALE);
const KiB = 1024;
const MiB = 1024 * KiB;
/** A model's plan cache holds this many plans unless built with another `planCacheSize` (see BuildOptions). */
const PLAN_CACHE_SIZE = 8;

/** Collects, then lets finalization callbacks run (they run on a later turn), a few times over. */
async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Bytes in the wasm memory's live blocks, and the memory's size. */
function wasmMemory(): { live: number; size: number } {
  const { allocator } = WasmRuntime.get();
  return { live: allocator.liveBytes, size: allocator.memoryBytes };
}

/** Which registered objects have been collected, by label. */
function collectedLog(): { registry: FinalizationRegistry<string>; collected: Set<string> } {
  const collected = new Set<string>();
  return { registry: new FinalizationRegistry<string>((label) => collected.add(label)), collected };
}

const fmt = (bytes: number): string => `${(bytes / KiB).toFixed(0)} KiB`;

let split: DigitSplit | undefined;
/** The digits, loaded once (the `mnist` package's JSON is parsed on first use and kept). */
function digitSplit(): DigitSplit {
  if (split === undefined) {
    const t0 = performance.now();
    split = digits({ seed: 0, train: 8000, test: 256 });
    recordFigure({ kind: 'memory', text: `8,000 training and 256 test digits loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s` }, 'digits');
  }
  return split;
}

describe('long runs', () => {
  it(`keep the heap flat over ${LESSON_STEPS} lesson steps through fit`, { timeout: TIMEOUT_MS }, async () => {
    // The lesson's network and its one sample, one step per epoch: every step also opens and closes an epoch.
    const model = lessonModel();
    const every = LESSON_STEPS / LESSON_SAMPLES;
    const samples: { step: number; heap: number }[] = [];
    const t0 = performance.now();
    const end = await lastValueFrom(
      fit(model, lessonData, { epochs: LESSON_STEPS, batchSize: 1, optimizer: sgd({ lr: 0.1 }), shuffle: false }).pipe(
        tap((e: TrainEvent) => {
          if (e.type === 'epoch' && e.step % every === 0) samples.push({ step: e.step, heap: heapAfterGc() });
        }),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    expect(end).toMatchObject({ type: 'end', reason: 'completed', steps: LESSON_STEPS });
    expect(samples.map((s) => s.step)).toEqual(Array.from({ length: LESSON_SAMPLES }, (_, i) => (i + 1) * every));
    // The first sample is taken after warm-up: code compiled, caches filled.
    const first = (samples[0] as { heap: number }).heap;
    const last = (samples[samples.length - 1] as { heap: number }).heap;
    const peak = Math.max(...samples.map((s) => s.heap));
    recordFigure({ kind: 'soak', name: "the lesson's 1-1-1 network, batch 1, SGD", steps: LESSON_STEPS, heapStart: first, heapEnd: last, growth: peak - first, bound: MiB, ms: Math.round(seconds * 1000) });
    expect(last - first).toBeLessThan(1 * MiB);
    expect(peak - first).toBeLessThan(1 * MiB);
  });

  it(`keep the heap and the wasm memory flat over ${DIGITS_STEPS} digits steps through fit`, { timeout: TIMEOUT_MS }, async () => {
    const { train } = digitSplit();
    const model = digitsModel({ backend: 'wasm', seed: 0 });
    const batchSize = 32;
    const perEpoch = Math.ceil(train.x.length / batchSize);
    const epochs = Math.ceil(DIGITS_STEPS / perEpoch);
    const samples: { epoch: number; heap: number; wasm: number }[] = [];
    const t0 = performance.now();
    const end = await lastValueFrom(
      fit(model, train, { epochs, batchSize, optimizer: adam({ lr: 0.003 }), metrics: ['accuracy'], seed: 0 }).pipe(
        tap((e: TrainEvent) => {
          if (e.type === 'epoch') samples.push({ epoch: e.epoch, heap: heapAfterGc(), wasm: wasmMemory().live });
        }),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    expect(end).toMatchObject({ type: 'end', reason: 'completed', steps: epochs * perEpoch });
    expect(epochs * perEpoch).toBeGreaterThanOrEqual(DIGITS_STEPS);
    const first = samples[0] as (typeof samples)[number];
    const last = samples[samples.length - 1] as (typeof samples)[number];
    recordFigure({
      kind: 'soak',
      name: `digits MLP on wasm, batch ${batchSize}, Adam (wasm memory ${fmt(first.wasm)} → ${fmt(last.wasm)})`,
      steps: epochs * perEpoch,
      heapStart: first.heap,
      heapEnd: last.heap,
      growth: last.heap - first.heap,
      bound: MiB,
      ms: Math.round(seconds * 1000),
    });
    expect(last.heap - first.heap).toBeLessThan(1 * MiB);
    // Every buffer a step uses was made before the first epoch ended.
    expect(samples.map((s) => s.wasm)).toEqual(samples.map(() => first.wasm));
  });

  it('keep the wasm memory flat over repeated runs on one model, each with a new optimizer', async () => {
    const { train } = digitSplit();
    const data = { x: train.x.slice(0, 512), y: train.y.slice(0, 512) };
    const model = digitsModel({ backend: 'wasm', seed: 1 });
    const after: { live: number; size: number; heap: number }[] = [];
    for (let run = 0; run < 6; run++) {
      const end = await lastValueFrom(fit(model, data, { epochs: 1, batchSize: 32, optimizer: adam({ lr: 0.001 }), seed: run }));
      expect(end).toMatchObject({ type: 'end', reason: 'completed' });
      await settle();
      after.push({ ...wasmMemory(), heap: heapAfterGc() });
    }
    recordFigure({
      kind: 'memory',
      text: `${after.length} runs on one model, each with a new Adam: wasm memory in use ${after.map((a) => fmt(a.live)).join(', ')} after each; heap ${after.map((a) => fmt(a.heap)).join(', ')}`,
    });
    // The first run compiled the plan the model keeps; the later ones reuse it and leave nothing behind.
    const second = after[1] as (typeof after)[number];
    for (const a of after.slice(2)) {
      expect(a.live).toBe(second.live);
      expect(a.size).toBe(second.size);
      expect(a.heap - second.heap).toBeLessThan(512 * KiB);
    }
  });

  it('let go of what a run made once it ends or is unsubscribed; its plan goes when the model drops it', async () => {
    const { train } = digitSplit();
    const { registry, collected } = collectedLog();
    // Long-lived, as a UI's stop button and abort controller are: they must not keep ended runs alive.
    const control = new Subject<TrainCommand>();
    const abort = new AbortController();
    const model = digitsModel({ backend: 'wasm', seed: 2 });
    const start = async (label: string, epochs: number, leave: 'end' | 'unsubscribe' | 'stop'): Promise<void> => {
      // Made here and registered, so nothing but the run holds them.
      const data = { x: train.x.slice(0, 256), y: train.y.slice(0, 256) };
      const optimizer = adam({ lr: 0.001 });
      registry.register(optimizer, `${label} optimizer`);
      registry.register(data, `${label} data`);
      const run$ = fit(model, data, { epochs, batchSize: 32, optimizer, control, signal: abort.signal });
      if (leave === 'end') {
        await lastValueFrom(run$);
      } else if (leave === 'unsubscribe') {
        // take(1) unsubscribes after the first epoch: the run stops at the next boundary.
        await firstValueFrom(run$.pipe(filter((e) => e.type === 'epoch'), take(1)));
      } else {
        const ended = lastValueFrom(run$);
        await firstValueFrom(run$.pipe(filter((e) => e.type === 'epoch'), take(1)));
        control.next({ type: 'stop' });
        await ended;
      }
    };
    await start('completed', 2, 'end');
    await start('unsubscribed', 1000, 'unsubscribe');
    await start('stopped', 1000, 'stop');
    // The plan every run trained on is the model's, kept for the next run.
    registry.register(model.plan(32, 'train'), 'train plan');
    await settle();
    for (const label of ['completed', 'unsubscribed', 'stopped']) {
      expect(collected).toContain(`${label} optimizer`);
      expect(collected).toContain(`${label} data`);
    }
    expect(collected).not.toContain('train plan');
    // Eight other plans push it out of the model's cache; then nothing holds it.
    for (let b = 1; b <= PLAN_CACHE_SIZE; b++) model.predict(Tensor.zeros([b, 784]));
    await settle();
    expect(collected).toContain('train plan');
    expect(model.planCacheStats().plans).toBe(PLAN_CACHE_SIZE);
  });

  it('give the wasm memory back when a trained model is dropped', async () => {
    const { train } = digitSplit();
    const { registry, collected } = collectedLog();
    digitsModel({ backend: 'wasm' }); // the backend's own memory (the matmul scratch) is made once, before the baseline
    await settle();
    const before = wasmMemory();
    const use = async (): Promise<number> => {
      const model = digitsModel({ backend: 'wasm', seed: 3 });
      registry.register(model, 'model');
      await lastValueFrom(fit(model, { x: train.x.slice(0, 256), y: train.y.slice(0, 256) }, { epochs: 1, batchSize: 32, optimizer: adam() }));
      registry.register(model.plan(32, 'train'), 'train plan');
      model.predict(Tensor.zeros([5, 784]));
      return wasmMemory().live;
    };
    const inUse = await use();
    await settle();
    const after = wasmMemory();
    recordFigure({ kind: 'memory', text: `a trained model dropped: wasm memory in use ${fmt(before.live)} before it, ${fmt(inUse)} while it lived, ${fmt(after.live)} after` });
    expect(collected).toEqual(new Set(['model', 'train plan']));
    // Parameters, optimizer state and plans: everything it took.
    expect(inUse - before.live).toBeGreaterThan(1 * MiB);
    expect(after.live).toBe(before.live);
  });

  it('keep the plan cache at its bound, and the memory within it, when predicting at 200 batch sizes', async () => {
    const model = digitsModel({ backend: 'wasm', seed: 4 });
    const rng = Rng.fromSeed(4);
    const rows = Float32Array.from({ length: 200 * 784 }, () => rng.next());
    // Batch size b holds the first b rows, so each row's prediction is known from the largest batch.
    const inputs = Array.from({ length: 200 }, (_, i) => new Tensor([i + 1, 784], rows.subarray(0, (i + 1) * 784)));
    const reference = model.predict(inputs[199] as Tensor).data;
    await settle();
    const before = { ...wasmMemory(), heap: heapAfterGc() };
    // What the model and the rest of the process hold besides the cached plans (the reference's is one).
    const base = before.live - model.planCacheStats().bytes;
    // One pass in one turn, no collection: whatever the plans the cache drops still take is counted.
    const pass = (): { live: number; size: number; cached: number; maxPlans: number; maxDiff: number } => {
      let maxPlans = 0;
      let maxDiff = 0;
      for (const x of inputs) {
        const y = model.predict(x).data;
        expect(y.length).toBe((x.shape[0] as number) * 10);
        // A plan freed while still in use would show here: its rows overwritten by the next plan's.
        for (let k = 0; k < y.length; k++) maxDiff = Math.max(maxDiff, Math.abs((y[k] as number) - (reference[k] as number)));
        maxPlans = Math.max(maxPlans, model.planCacheStats().plans);
      }
      return { ...wasmMemory(), cached: model.planCacheStats().bytes, maxPlans, maxDiff };
    };
    const passes: (ReturnType<typeof pass> & { heap: number })[] = [];
    for (let i = 0; i < 3; i++) {
      const p = pass();
      await settle();
      passes.push({ ...p, heap: heapAfterGc() });
    }
    const [first, second, last] = passes as [(typeof passes)[number], (typeof passes)[number], (typeof passes)[number]];
    recordFigure({
      kind: 'memory',
      text:
        `predictions at 200 batch sizes, three passes: the plan cache holds ${fmt(last.cached)} (8 plans); wasm memory in use ${fmt(before.live)} before, ` +
        `${passes.map((p) => fmt(p.live)).join(', ')} after each pass; heap ${fmt(before.heap)} before, ${passes.map((p) => fmt(p.heap)).join(', ')}`,
    });
    for (const p of passes) {
      expect(p.maxDiff).toBeLessThan(1e-5);
      expect(p.maxPlans).toBe(PLAN_CACHE_SIZE);
      // The eight cached plans (batch sizes 193 to 200) and their blocks' rounding up to 64 bytes: nothing else.
      expect(p.live - base).toBeGreaterThanOrEqual(p.cached);
      expect(p.live - base).toBeLessThan(p.cached + 64 * KiB);
    }
    // Room for the cached plans and the one being made, rounded up as the memory grows (by half at least).
    expect(last.size - before.size).toBeLessThanOrEqual(Math.max(2 * last.cached, before.size / 2) + 1 * MiB);
    expect(second.size).toBe(last.size);
    // The first pass made the eight plans the cache keeps (their objects and generated code); the others add nothing.
    expect(last.heap - first.heap).toBeLessThan(512 * KiB);
  });
});
