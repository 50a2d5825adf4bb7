import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject, from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { fromCheckpoint, sequential, toCheckpoint, type Checkpoint, type Model } from '@gradstream/graph';
import { loadCheckpoint, writeCheckpointFile } from '@gradstream/graph/node';
import { dense, dropout, softmaxCrossEntropy } from '@gradstream/ops';
import { spirals } from '@gradstream/datasets';
import { GradstreamError } from '@gradstream/tensor';
import {
  adam,
  cosineDecay,
  earlyStopping,
  fit,
  lrSchedule,
  reduceLrOnPlateau,
  type ArrayData,
  type FitOptions,
  type Policy,
  type Sample,
  type TrainCommand,
  type TrainData,
  type TrainEvent,
} from '../src/index.js';

// Resume after N steps, then train on: the result must equal N + M uninterrupted steps bit for bit —
// parameters, optimizer state, data order, dropout masks, learning-rate schedules, policies' state,
// epoch totals — for arrays and for streams.

const toy = spirals({ seed: 3 });
// Two classes, one-hot, for softmax cross-entropy.
const data: ArrayData = { x: toy.x, y: toy.y.map((row) => ((row as number[])[0] === 1 ? [0, 1] : [1, 0])) };
const oneHot = data.y as number[][];
const samples: Sample[] = toy.x.map((x, i) => ({ x, y: oneHot[i] as number[] }));

function model(seed = 7): Model {
  return sequential([dense({ inFeatures: 2, outFeatures: 12, activation: 'tanh' }), dropout({ rate: 0.25 }), dense({ inFeatures: 12, outFeatures: 2 })], {
    inputShape: [2],
    loss: softmaxCrossEntropy(),
    dtype: 'float64',
    seed,
  });
}

/** A per-step schedule and early stopping with its best copy: both must pick up where they were. */
function scheduled(): Policy[] {
  return [
    lrSchedule(cosineDecay({ initial: 0.02, period: 400 }), { per: 'step' }),
    earlyStopping({ monitor: 'loss', patience: 4, minDelta: 0.02, restoreBest: true }),
  ];
}

/** Plateau detection (its best and wait count) and early stopping with a longer patience. */
function plateau(): Policy[] {
  return [reduceLrOnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, minDelta: 0.01 }), earlyStopping({ monitor: 'loss', patience: 6, minDelta: 0.005 })];
}

function options(over: Partial<FitOptions> = {}): FitOptions {
  return { epochs: 12, batchSize: 16, optimizer: adam({ lr: 0.02 }), seed: 11, metrics: ['accuracy'], policies: scheduled(), ...over };
}

/** What a run's events say, without wall-clock fields: each epoch's and batch's figures, and the end. */
function transcript(events: readonly TrainEvent[]): unknown[] {
  return events.flatMap((e): unknown[] => {
    if (e.type === 'batch') return [['batch', e.step, e.epoch, e.batch, e.loss, e.lr]];
    if (e.type === 'epoch') return [['epoch', e.epoch, e.step, e.loss, e.lr, e.metrics]];
    if (e.type === 'epochStart') return [['epochStart', e.epoch, e.lr]];
    if (e.type === 'end') return [['end', { ...e, profile: undefined }]];
    return [];
  });
}

/** Trains to the end, reading every event. */
async function run(m: Model, d: TrainData, o: FitOptions): Promise<TrainEvent[]> {
  return lastValueFrom(fit(m, d, o).pipe(toArray()));
}

/**
 * Trains until `stepAt` steps are done (or, with `atEpochEvent`, until the epoch ending at that step
 * is reported), takes a checkpoint there and stops: the events and the checkpoint.
 */
async function runUntil(m: Model, d: TrainData, o: FitOptions, stepAt: number, atEpochEvent = false): Promise<{ events: TrainEvent[]; checkpoint: Checkpoint }> {
  const control = new Subject<TrainCommand>();
  let checkpoint: Checkpoint | undefined;
  const events: TrainEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    fit(m, d, { ...o, control }).subscribe({
      next: (e) => {
        events.push(e);
        // Asked during the batch event, the checkpoint is taken after that batch's update.
        if (e.type === (atEpochEvent ? 'epoch' : 'batch') && e.step === stepAt) control.next('checkpoint');
        if (e.type === 'checkpoint') {
          checkpoint = e.checkpoint;
          control.next('stop');
        }
      },
      error: reject,
      complete: resolve,
    });
  });
  if (checkpoint === undefined) throw new Error(`no checkpoint at step ${stepAt}`);
  return { events, checkpoint };
}

/** A checkpoint as it comes back from storage: through JSON text. */
const stored = (c: Checkpoint): Checkpoint => JSON.parse(JSON.stringify(c)) as Checkpoint;

function paramsOf(m: Model): Record<string, number[]> {
  return Object.fromEntries(m.parameters().map((p) => [p.id, Array.from(p.value.data)]));
}

/**
 * Trains `epochs` uninterrupted, and again stopped after `stepAt` steps, stored, and resumed from
 * its checkpoint on a model rebuilt from it: both must end with the same bits, and the resumed
 * run's events must be the uninterrupted run's from step `stepAt + 1` on.
 */
async function expectResumeExact(
  d: () => TrainData,
  stepAt: number,
  over: Partial<FitOptions> = {},
  atEpochEvent = false,
): Promise<{ whole: TrainEvent[]; resumed: TrainEvent[] }> {
  const whole = model();
  const wholeOptimizer = adam({ lr: 0.02 });
  const uninterrupted = await run(whole, d(), options({ ...over, optimizer: wholeOptimizer }));

  const { events: before, checkpoint } = await runUntil(model(), d(), options(over), stepAt, atEpochEvent);
  const stopped = before.at(-1);
  expect(stopped?.type === 'end' && stopped.steps).toBe(stepAt);

  const { model: second, ...state } = fromCheckpoint(stored(checkpoint));
  const resumedOptimizer = adam({ lr: 0.02 });
  const after = await run(second, d(), options({ ...over, optimizer: resumedOptimizer, resume: state }));

  const start = after[0];
  expect(start?.type === 'start' && start.resumed?.step).toBe(stepAt);
  const full = transcript(uninterrupted);
  const from = full.findIndex((t) => (t as unknown[])[0] === 'batch' && (t as unknown[])[1] === stepAt + 1);
  expect(from).toBeGreaterThan(0);
  // Everything after step N's batch event (or its epoch's event): the end of its epoch if that was
  // not reported yet, the next epochs.
  const kind = atEpochEvent ? 'epoch' : 'batch';
  const at = full.findIndex((t) => (t as unknown[])[0] === kind && (t as unknown[])[kind === 'batch' ? 1 : 2] === stepAt);
  const tail = full.slice(at + 1);
  expect(transcript(after)).toEqual(tail);
  expect(paramsOf(second)).toEqual(paramsOf(whole));
  expect(toCheckpoint(second).checksum).toBe(toCheckpoint(whole).checksum);
  expect(resumedOptimizer.state()).toEqual(wholeOptimizer.state());
  return { whole: uninterrupted, resumed: after };
}

const endOf = (events: readonly TrainEvent[]) => events.at(-1) as Extract<TrainEvent, { type: 'end' }>;

describe('resume ≡ uninterrupted, bit for bit', () => {
  it('arrays, shuffled, inside an epoch after the best one: parameters, Adam moments, dropout masks, a per-step schedule, early stopping', async () => {
    // 13 batches an epoch: step 45 is inside epoch 4, after the best epoch (2) of this run.
    const { whole, resumed } = await expectResumeExact(() => data, 45);
    const end = endOf(whole);
    // The run stops early after the resume point and writes the best epoch back: the state that
    // decided it (best value, patience count, the kept copy) came through the checkpoint.
    expect(end).toMatchObject({ reason: 'early-stop', bestEpoch: 2, restored: true });
    expect(end.steps).toBeGreaterThan(45);
    expect(endOf(resumed)).toEqual(end);
  });

  it('arrays at an epoch boundary, with a plateau schedule that lowers the rate after the resume point', async () => {
    const { whole } = await expectResumeExact(() => data, 52, { policies: plateau() });
    const rates = whole.flatMap((e) => (e.type === 'epochStart' && e.epoch > 4 ? [e.lr] : []));
    expect(Math.min(...rates)).toBeLessThan(0.02);
  });

  it("at an epoch's event, after the plateau schedule set the next epoch's rate (a rate not yet applied)", async () => {
    const { whole } = await expectResumeExact(() => data, 39, { policies: plateau() }, true);
    const rates = whole.flatMap((e) => (e.type === 'epochStart' ? [e.lr] : []));
    // The rate the checkpoint carried pending is the one epoch 4 starts with; it differs from epoch 3's.
    expect(rates[3]).not.toBe(rates[2]);
  });

  it('a stream (Observable), inside a pass: read again from its start, the trained samples skipped', async () => {
    const { resumed } = await expectResumeExact(() => from(samples), 30, { epochs: 3, policies: plateau() });
    expect(endOf(resumed)).toMatchObject({ reason: 'completed', epochs: 3 });
  });

  it('a stream (async iterable), at the start of a pass', async () => {
    // Read again each epoch, as a file or a database cursor opened anew would be.
    const replay: AsyncIterable<Sample> = {
      async *[Symbol.asyncIterator]() {
        for (const s of samples) yield s;
      },
    };
    await expectResumeExact(() => replay, 26, { epochs: 3, batchSize: 8, policies: [] });
  });

  it('through a file: saveCheckpoint-style atomic write, loadCheckpoint, resume', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradstream-resume-'));
    dirs.push(dir);
    const whole = model();
    await run(whole, data, options({ epochs: 3 }));
    const { checkpoint } = await runUntil(model(), data, options({ epochs: 3 }), 20);
    const path = join(dir, 'run.ckpt.json');
    await writeCheckpointFile(checkpoint, path);
    const { model: second, ...state } = await loadCheckpoint(path);
    await run(second, data, options({ epochs: 3, resume: state }));
    expect(paramsOf(second)).toEqual(paramsOf(whole));
  });

  it('without the run state (the optimizer only), the same steps do not give the same result', async () => {
    const whole = model();
    await run(whole, data, options({ epochs: 3 }));
    const { checkpoint } = await runUntil(model(), data, options({ epochs: 3 }), 20);
    const { model: second, ...state } = fromCheckpoint(stored(checkpoint));
    const events = await run(second, data, options({ epochs: 3, resume: { ...state, run: undefined } }));
    // Trained three whole epochs again from step 20's parameters, in another order, other masks.
    expect(endOf(events).steps).toBe(39);
    expect(paramsOf(second)).not.toEqual(paramsOf(whole));
  });
});

describe('resume refuses what would not continue the same run', () => {
  async function checkpointAt(step: number, over: Partial<FitOptions> = {}): Promise<{ model: Model; state: ReturnType<typeof fromCheckpoint> }> {
    const { checkpoint } = await runUntil(model(), data, options({ epochs: 3, ...over }), step);
    const loaded = fromCheckpoint(stored(checkpoint));
    return { model: loaded.model, state: loaded };
  }
  const failure = async (m: Model, o: FitOptions): Promise<GradstreamError> => {
    try {
      await run(m, data, o);
    } catch (e) {
      return e as GradstreamError;
    }
    throw new Error('the run did not fail');
  };

  it('another batch size, other shuffling, other policies: INVALID_OPTION naming what differs', async () => {
    const { model: m, state } = await checkpointAt(10);
    const batch = await failure(m, options({ epochs: 3, batchSize: 8, resume: state }));
    expect(batch).toBeInstanceOf(GradstreamError);
    expect(batch.code).toBe('INVALID_OPTION');
    expect(batch.message).toContain('batchSize 16, this one batchSize 8');
    const fewer = await failure(m, options({ epochs: 3, resume: state, policies: [] }));
    expect(fewer.message).toContain('had 2 policies, this one 0');
    const other = await failure(m, options({ epochs: 3, resume: state, shuffle: false }));
    expect(other.message).toContain('shuffle true, this one shuffle false');
  });

  it('a damaged run state: INVALID_OPTION with the JSON path', async () => {
    const { model: m, state } = await checkpointAt(10);
    const run0 = state.run as Record<string, unknown>;
    const e = await failure(m, options({ epochs: 3, resume: { ...state, run: { ...run0, trained: -1 } } }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toContain('resume.run/trained');
  });

  it('saveState comes only from a policy', async () => {
    const control = new Subject<TrainCommand>();
    const events$ = fit(model(), data, { epochs: 1, control });
    const done = lastValueFrom(events$.pipe(toArray()));
    control.next({ type: 'saveState', state: 1 });
    await expect(done).rejects.toMatchObject({ code: 'INVALID_COMMAND' });
  });
});

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
