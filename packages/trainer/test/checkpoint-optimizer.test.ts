import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Subject, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromCheckpoint, parseCheckpoint, sequential, toCheckpoint, type Checkpoint, type CheckpointTensor, type Model } from '@gradstream/graph';
import { dense, dropout, linear, mse, sigmoid, softmaxCrossEntropy } from '@gradstream/ops';
import { spirals } from '@gradstream/datasets';
import { GradstreamError } from '@gradstream/tensor';
import {
  adam,
  adamw,
  earlyStopping,
  fit,
  momentum,
  sgd,
  type ArrayData,
  type FitOptions,
  type Optimizer,
  type OptimizerState,
  type TrainCommand,
  type TrainEvent,
} from '../src/index.js';

// Optimizer state through checkpoints of format version 2 (slot buffers in binary): every built-in
// optimizer, float32 and float64, comes back exactly and trains on bit for bit; runs resume exactly
// from a checkpoint as emitted, from a loaded one, and from version-1 checkpoints (number arrays).

type Dtype = 'float32' | 'float64';

const small: ArrayData = {
  x: [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.2], [0.3, 0.9]],
  y: [[0], [1], [1], [0], [0.4], [0.7]],
};

function regression(dtype: Dtype, seed = 4): Model {
  return sequential([dense({ inFeatures: 2, outFeatures: 5, activation: 'tanh' }), dense({ inFeatures: 5, outFeatures: 1 })], {
    inputShape: [2],
    loss: mse(),
    dtype,
    seed,
    backend: 'ts',
  });
}

const optimizers: readonly [string, () => Optimizer, number][] = [
  ['sgd', () => sgd({ lr: 0.05 }), 0],
  ['momentum', () => momentum({ lr: 0.05, momentum: 0.9, nesterov: true }), 1],
  ['adam', () => adam({ lr: 0.01 }), 2],
  ['adamw', () => adamw({ lr: 0.01, weightDecay: 0.1 }), 2],
];

/** Trains in a fixed order (no shuffling, no dropout): two runs from the same state take the same steps. */
async function train(model: Model, optimizer: Optimizer, epochs: number): Promise<void> {
  await lastValueFrom(fit(model, small, { epochs, batchSize: 2, optimizer, shuffle: false }));
}

const paramsOf = (m: Model): number[][] => m.parameters().map((p) => Array.from(p.value.data));
/** A checkpoint as it comes back from storage: through JSON text. */
const stored = (c: Checkpoint): Checkpoint => JSON.parse(JSON.stringify(c)) as Checkpoint;

describe('every optimizer through a checkpoint', () => {
  for (const [name, make, slots] of optimizers) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${name}, ${dtype}: fresh and after training, the state comes back exactly and training goes on bit for bit`, async () => {
        const model = regression(dtype);
        const optimizer = make();
        expect(fromCheckpoint(stored(toCheckpoint(model, { optimizer: optimizer.state() }))).optimizer).toEqual(optimizer.state());

        await train(model, optimizer, 3);
        const text = JSON.stringify(toCheckpoint(model, { optimizer: optimizer.state() }));
        const encoded = (JSON.parse(text) as { optimizer: { slots: Record<string, CheckpointTensor[]> } }).optimizer.slots;
        expect(Object.keys(encoded)).toHaveLength(slots);
        for (const list of Object.values(encoded)) {
          expect(list.map((e) => [e.dtype, e.shape])).toEqual(model.parameters().map((p) => [dtype, [...p.value.shape]]));
        }
        const loaded = fromCheckpoint(parseCheckpoint(text));
        expect(loaded.optimizer).toEqual(optimizer.state());
        expect((optimizer.state().steps)).toBe(9);

        const restored = make();
        restored.setState(loaded.optimizer as unknown as OptimizerState);
        await train(model, optimizer, 2);
        await train(loaded.model, restored, 2);
        expect(paramsOf(loaded.model)).toEqual(paramsOf(model));
        expect(restored.state()).toEqual(optimizer.state());

        if (slots > 0) {
          // The buffers carry the run: a model loaded alike but trained on with them zeroed ends elsewhere.
          const again = fromCheckpoint(parseCheckpoint(text));
          const zeroed = make();
          const saved = again.optimizer as unknown as OptimizerState;
          zeroed.setState({ ...saved, slots: Object.fromEntries(Object.entries(saved.slots).map(([k, list]) => [k, list.map((b) => b.map(() => 0))])) });
          await train(again.model, zeroed, 2);
          expect(paramsOf(again.model)).not.toEqual(paramsOf(model));
        }
      });
    }
  }

  it('the built-in optimizers take a checkpoint’s encoded field as it is, and check it', async () => {
    const model = regression('float32');
    const optimizer = adam({ lr: 0.01 });
    await train(model, optimizer, 2);
    const c = stored(toCheckpoint(model, { optimizer: optimizer.state() }));
    const restored = adam();
    restored.setState(c.optimizer as unknown as OptimizerState);
    expect(restored.state()).toEqual(optimizer.state());
    const broken = JSON.parse(JSON.stringify(c.optimizer)) as { slots: { v: CheckpointTensor[] } };
    broken.slots.v[1] = { ...(broken.slots.v[1] as CheckpointTensor), data: 'AAAAAAAA' };
    let caught: unknown;
    try {
      adam().setState(broken as unknown as OptimizerState);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GradstreamError);
    expect((caught as GradstreamError).code).toBe('CHECKPOINT_INVALID');
    expect((caught as GradstreamError).message).toContain('state/slots/v/1/data: expected 20 bytes (5 float32), got 6');
  });
});

describe('the optimizer part is about as large as the parameters, per slot', () => {
  it('Adam on a 64-48-10 network: each slot within 1.4× the parameters’ base64, several times smaller than number arrays', async () => {
    const model = sequential([dense({ inFeatures: 64, outFeatures: 48, activation: 'relu' }), linear({ inFeatures: 48, outFeatures: 10 })], {
      inputShape: [64],
      loss: softmaxCrossEntropy(),
      seed: 2,
      backend: 'ts',
    });
    const x = Array.from({ length: 32 }, (_, i) => Array.from({ length: 64 }, (_, j) => Math.sin(i * 64 + j)));
    const y = x.map((_, i) => Array.from({ length: 10 }, (_, k) => (k === i % 10 ? 1 : 0)));
    const optimizer = adam({ lr: 0.01 });
    await lastValueFrom(fit(model, { x, y }, { epochs: 3, batchSize: 8, optimizer }));
    const c = toCheckpoint(model, { optimizer: optimizer.state() });
    const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));
    const params = bytes(c.params);
    const encoded = bytes(c.optimizer);
    expect(encoded / 2).toBeLessThanOrEqual(1.4 * params);
    // What version 1 stored: the same state as number arrays.
    expect(bytes(optimizer.state())).toBeGreaterThan(3 * encoded);
  });
});

// ---------------------------------------------------------------------------------------------
// Resuming a run: with dropout, shuffling and early stopping's kept copy, as resume.test.ts does
// for the loaded form; here for the forms a checkpoint may take besides.

const toy = spirals({ seed: 3 });
const data: ArrayData = { x: toy.x, y: toy.y.map((row) => ((row as number[])[0] === 1 ? [0, 1] : [1, 0])) };

function classifier(): Model {
  return sequential([dense({ inFeatures: 2, outFeatures: 12, activation: 'tanh' }), dropout({ rate: 0.25 }), dense({ inFeatures: 12, outFeatures: 2 })], {
    inputShape: [2],
    loss: softmaxCrossEntropy(),
    seed: 7,
    backend: 'ts',
  });
}

function options(over: Partial<FitOptions> = {}): FitOptions {
  return {
    epochs: 5,
    batchSize: 16,
    optimizer: adam({ lr: 0.02 }),
    seed: 11,
    policies: [earlyStopping({ monitor: 'loss', patience: 10, restoreBest: true })],
    ...over,
  };
}

/** Trains to step `stepAt`, takes a checkpoint there and stops: the checkpoint and the optimizer's own state at that moment. */
async function checkpointAt(stepAt: number, optimizer: Optimizer): Promise<{ checkpoint: Checkpoint; state: OptimizerState }> {
  const control = new Subject<TrainCommand>();
  let found: { checkpoint: Checkpoint; state: OptimizerState } | undefined;
  const run$ = fit(classifier(), data, options({ optimizer, control }));
  run$.subscribe((e) => {
    if (e.type === 'batch' && e.step === stepAt) control.next('checkpoint');
    if (e.type === 'checkpoint') {
      found = { checkpoint: e.checkpoint, state: optimizer.state() };
      control.next('stop');
    }
  });
  await lastValueFrom(run$);
  if (found === undefined) throw new Error(`no checkpoint at step ${stepAt}`);
  return found;
}

async function uninterrupted(): Promise<{ model: Model; optimizer: Optimizer }> {
  const model = classifier();
  const optimizer = adam({ lr: 0.02 });
  await lastValueFrom(fit(model, data, options({ optimizer })));
  return { model, optimizer };
}

/** Resumes on `model` from `resume` to the end of the run; the parameters and optimizer state must be the uninterrupted run's. */
async function expectExact(model: Model, resume: NonNullable<FitOptions['resume']>, stepAt: number): Promise<void> {
  const whole = await uninterrupted();
  const optimizer = adam({ lr: 0.02 });
  const events = await lastValueFrom(fit(model, data, options({ optimizer, resume })).pipe(toArray()));
  const start = events[0] as TrainEvent;
  expect(start.type === 'start' && start.resumed?.step).toBe(stepAt);
  expect(paramsOf(model)).toEqual(paramsOf(whole.model));
  expect(optimizer.state()).toEqual(whole.optimizer.state());
}

describe('resume from each form a checkpoint takes, bit for bit', () => {
  it('the checkpoint event’s checkpoint as it is (buffers encoded), early stopping’s kept copy in its run state', async () => {
    const { checkpoint } = await checkpointAt(30, adam({ lr: 0.02 }));
    expect((checkpoint.run as { kept: unknown }).kept).not.toBeNull();
    expect(typeof (checkpoint.optimizer as { checksum?: unknown }).checksum).toBe('string');
    const { model } = fromCheckpoint(stored(checkpoint), { backend: 'ts' });
    await expectExact(model, stored(checkpoint), 30);
  });

  it('a version-1 checkpoint of the same run (slots as number arrays), loaded or as it is', async () => {
    const optimizer = adam({ lr: 0.02 });
    const { checkpoint: c, state } = await checkpointAt(30, optimizer);
    // What version 1 wrote at that moment: the optimizer's state verbatim.
    const v1 = JSON.parse(
      JSON.stringify({ format: c.format, formatVersion: 1, spec: c.spec, params: c.params, checksum: c.checksum, optimizer: state, step: c.step, epoch: c.epoch, run: c.run }),
    ) as Checkpoint;
    const loaded = fromCheckpoint(v1, { backend: 'ts' });
    expect(loaded.optimizer).toEqual(state);
    await expectExact(loaded.model, loaded, 30);
    await expectExact(fromCheckpoint(v1, { backend: 'ts' }).model, v1, 30);
  });

  it('the committed version-1 file, as version 1 wrote it', async () => {
    const path = fileURLToPath(new URL('../../graph/test/fixtures/v1-adam.ckpt.json', import.meta.url));
    const xor: ArrayData = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] };
    const make = (): Model =>
      sequential([linear({ inFeatures: 2, outFeatures: 3 }), sigmoid(), linear({ inFeatures: 3, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 5, backend: 'ts' });
    const run = (model: Model, optimizer: Optimizer, resume?: FitOptions['resume']) =>
      lastValueFrom(fit(model, xor, { epochs: 3, batchSize: 2, optimizer, seed: 1, ...(resume === undefined ? {} : { resume }) }).pipe(toArray()));
    const whole = make();
    const wholeOptimizer = adam({ lr: 0.1 });
    await run(whole, wholeOptimizer);

    const { model, ...state } = fromCheckpoint(JSON.parse(readFileSync(path, 'utf8')) as unknown, { backend: 'ts' });
    const optimizer = adam({ lr: 0.1 });
    const events = await run(model, optimizer, state);
    expect(events[0]?.type === 'start' && events[0].resumed).toEqual({ step: 3, epoch: 1 });
    expect(events.at(-1)).toMatchObject({ type: 'end', reason: 'completed', steps: 6 });
    expect(paramsOf(model)).toEqual(paramsOf(whole));
    expect(optimizer.state()).toEqual(wholeOptimizer.state());
  });

  it('an optimizer of one’s own is handed number arrays, whatever form the checkpoint took', async () => {
    const { checkpoint } = await checkpointAt(20, adam({ lr: 0.02 }));
    const inner = adam({ lr: 0.02 });
    const received: OptimizerState[] = [];
    // Knows nothing of checkpoints: it reads its buffers as numbers.
    const own: Optimizer = {
      name: 'adam',
      get lr() {
        return inner.lr;
      },
      set lr(v: number) {
        inner.lr = v;
      },
      slots: ['m', 'v'],
      step: (p, g, b) => inner.step(p, g, b),
      config: () => inner.config(),
      state: () => inner.state(),
      setState(state) {
        received.push(state);
        inner.setState(state);
      },
    };
    const { model } = fromCheckpoint(stored(checkpoint), { backend: 'ts' });
    await lastValueFrom(fit(model, data, options({ optimizer: own, resume: stored(checkpoint) })));
    const m = received[0]?.slots.m as number[][];
    expect(m).toHaveLength(4);
    expect(m[0]?.every((v) => typeof v === 'number')).toBe(true);
    expect(received[0]?.steps).toBe(20);
  });

  it('a corrupted optimizer in a checkpoint handed over as it is: CHECKPOINT_INVALID naming resume.optimizer, before any step', async () => {
    const { checkpoint } = await checkpointAt(10, adam({ lr: 0.02 }));
    const { model } = fromCheckpoint(stored(checkpoint), { backend: 'ts' });
    const before = paramsOf(model);
    const broken = JSON.parse(JSON.stringify(checkpoint)) as { optimizer: { slots: { m: CheckpointTensor[] } } };
    const entry = broken.optimizer.slots.m[0] as CheckpointTensor;
    const bytes = Buffer.from(entry.data, 'base64');
    bytes[5] = (bytes[5] as number) ^ 0x10;
    broken.optimizer.slots.m[0] = { ...entry, data: bytes.toString('base64') };
    const events: TrainEvent[] = [];
    const failure = await new Promise<unknown>((resolve) => {
      fit(model, data, options({ resume: broken as unknown as Checkpoint })).subscribe({ next: (e) => events.push(e), error: resolve, complete: () => resolve(undefined) });
    });
    expect(failure).toBeInstanceOf(GradstreamError);
    expect((failure as GradstreamError).code).toBe('CHECKPOINT_INVALID');
    expect((failure as GradstreamError).message).toContain('resume.optimizer/checksum mismatch: optimizer slot bytes were altered');
    expect(events.filter((e) => e.type === 'batch')).toEqual([]);
    expect(paramsOf(model)).toEqual(before);
  });
});
