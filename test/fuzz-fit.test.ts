import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Subject, of, type Observable } from 'rxjs';
import { fromCheckpoint, sequential, type Model } from '@gradstream/graph';
import { dense, linear, mse, sigmoid, softmaxCrossEntropy } from '@gradstream/ops';
import { GradstreamError } from '@gradstream/tensor';
import {
  adam,
  adamw,
  checkpointBest,
  cosineDecay,
  divergenceGuard,
  earlyStopping,
  exponentialDecay,
  fit,
  lrSchedule,
  momentum,
  reduceLrOnPlateau,
  sgd,
  stepDecay,
  type FitOptions,
  type TrainData,
  type TrainEvent,
} from '@gradstream/trainer';
import { assertNoPollution, configureFuzz, expectGradstream, fuzzSettings } from './support/fuzz.js';

// Fuzz tests of training: fit with random options, valid and invalid (epochs, batch size, seed,
// shuffling, metrics, validation, params snapshots, time slices, regularization, the built-in
// policies and optimizers with random settings — NaN, negative, huge, strings, objects, BigInt), and random
// sequences of control commands sent while a run trains. Every run must end with an `end` event
// or fail with a GradstreamError whose code is in the table (announced by an `error` event), never
// leave non-finite parameters behind without a `diverged` end, and never hang.
// The seed is fixed so CI is deterministic; a larger run on demand:
//   GRADSTREAM_FUZZ_RUNS=10000 npx vitest run test/fuzz-fit.test.ts
// (GRADSTREAM_FUZZ_SEED picks another seed; a failure prints the seed and path to replay it.)
const FUZZ = fuzzSettings(500);
// The test timeout leaves room for the last run and shrinking after the time limit.
const TEST_TIMEOUT_MS = FUZZ.timeLimitMs + 60_000;
/** A run of a few samples and epochs takes milliseconds: one not over after this long hangs. */
const HANG_MS = 5_000;

beforeAll(() => {
  configureFuzz(FUZZ);
});
afterAll(() => {
  fc.resetConfigureGlobal();
  assertNoPollution();
});

// A failure that escapes the run (a policy's promise, a timer) would not reach the subscriber.
const stray: unknown[] = [];
const onStray = (e: unknown): void => void stray.push(e);
beforeEach(() => {
  stray.length = 0;
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
});
afterEach(() => {
  process.off('uncaughtException', onStray);
  process.off('unhandledRejection', onStray);
  expect(stray).toEqual([]);
});

// ---- models and data

type Kind = 'regression' | 'classifier';
const MODELS = {
  regression: (seed: number, backend: 'ts' | 'auto', dtype: 'float32' | 'float64') =>
    sequential([linear({ inFeatures: 2, outFeatures: 3 }), sigmoid(), linear({ inFeatures: 3, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed, backend, dtype }),
  classifier: (seed: number, backend: 'ts' | 'auto', dtype: 'float32' | 'float64') =>
    sequential([dense({ inFeatures: 2, outFeatures: 4, activation: 'tanh' }), linear({ inFeatures: 4, outFeatures: 3 })], {
      inputShape: [2],
      loss: softmaxCrossEntropy(),
      seed,
      backend,
      dtype,
    }),
} as const;

const modelArb = fc.record({
  kind: fc.constantFrom<Kind>('regression', 'classifier'),
  seed: fc.nat({ max: 1000 }),
  backend: fc.constantFrom<'ts' | 'auto'>('ts', 'auto'),
  dtype: fc.constantFrom<'float32' | 'float64'>('float32', 'float64'),
});

const finite = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });
/** Values of a few units, sometimes tens (large gradients: with a huge learning rate an update overflows). */
const valueArb = fc.oneof({ weight: 4, arbitrary: finite }, { weight: 1, arbitrary: finite.map((v) => 10 * v) });
const rowsArb = (width: number, n: number) => fc.array(fc.array(valueArb, { minLength: width, maxLength: width }), { minLength: n, maxLength: n });

/** Tiny data: valid arrays mostly; sometimes a non-finite value, a row too narrow, or x and y of different lengths. */
const dataArb = (kind: Kind): fc.Arbitrary<{ x: number[][]; y: number[][] }> =>
  fc.integer({ min: 1, max: 8 }).chain((n) => {
    const yWidth = kind === 'regression' ? 1 : 3;
    return fc.record({ x: rowsArb(2, n), y: rowsArb(yWidth, n), flaw: fc.oneof({ weight: 8, arbitrary: fc.constant('none') }, { weight: 1, arbitrary: fc.constantFrom('nan', 'narrow', 'short', 'empty') }) }).map(({ x, y, flaw }) => {
      if (flaw === 'nan') (x[0] as number[])[0] = Number.NaN;
      if (flaw === 'narrow') (x[0] as number[]).pop();
      if (flaw === 'short') y.pop();
      if (flaw === 'empty') return { x: [], y: [] };
      return { x, y };
    });
  });

// ---- option values: valid ones and junk

/** Values no option takes: non-finite, negative, huge, tiny, strings, objects, BigInt, a null-prototype object. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, -1, 0, -0, 1e308, 1e-320, 2 ** 53, 0.5, '0.1', '', 'yes', null, true, false, [], {}, [1], { value: 1 }, 10n, -3n),
  fc.constant(null).map(() => Object.create(null) as unknown),
  fc.double(),
  fc.string({ maxLength: 4 }),
);
/** Mostly valid (`valid`), sometimes missing, sometimes junk. */
const maybe = <T,>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 20, arbitrary: valid }, { weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: junk });
/** Positive values: ordinary ones, and huge ones (at the float32 and float64 limits) that make an update overflow. */
const positive = fc.oneof(fc.double({ min: 1e-4, max: 2, noNaN: true }), fc.constantFrom(0.01, 0.1, 1, 1e3), fc.constantFrom(1e30, 1e38, 3e38, 1e300, 1.7e308));
const unit = fc.double({ min: 0, max: 0.999, noNaN: true });

/** Options for an optimizer factory: its keys (plus clipNorm, sometimes an unknown one) with maybe-valid values. */
const optimizerArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ factory: fc.constant('sgd' as const), options: fc.record({ lr: maybe(positive), clipNorm: maybe(positive) }, { requiredKeys: [] }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      factory: fc.constant('momentum' as const),
      options: fc.record({ lr: maybe(positive), momentum: maybe(unit), nesterov: maybe(fc.boolean()), clipNorm: maybe(positive) }, { requiredKeys: [] }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      factory: fc.constant('adam' as const),
      options: fc.record({ lr: maybe(positive), beta1: maybe(unit), beta2: maybe(unit), epsilon: maybe(positive), clipNorm: maybe(positive) }, { requiredKeys: [] }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      factory: fc.constant('adamw' as const),
      // lrr: a misspelt option, sometimes there.
      options: fc.record(
        { lr: maybe(positive), beta1: maybe(unit), beta2: maybe(unit), epsilon: maybe(positive), weightDecay: maybe(unit), clipNorm: maybe(positive), lrr: maybe(junk) },
        { requiredKeys: [] },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ factory: fc.constant('junk' as const), options: junk }) },
);
const OPTIMIZERS = { sgd, momentum, adam, adamw } as const;

// `loss` is always reported; the others only with validation data or that metric (or never: `nope`).
const monitorArb = maybe(fc.oneof({ weight: 3, arbitrary: fc.constant('loss') }, { weight: 2, arbitrary: fc.constantFrom('val_loss', 'mse', 'val_mse', 'accuracy', 'val_accuracy', 'rmse', 'nope') }));
const modeArb = maybe(fc.constantFrom('min', 'max', 'auto', 'sideways'));
const scheduleArb = fc.oneof(
  fc.record({ kind: fc.constant('step' as const), options: fc.record({ initial: maybe(positive), factor: maybe(unit), every: maybe(positive) }, { requiredKeys: [] }) }),
  fc.record({ kind: fc.constant('exponential' as const), options: fc.record({ initial: maybe(positive), rate: maybe(unit), every: maybe(positive) }, { requiredKeys: [] }) }),
  fc.record({ kind: fc.constant('cosine' as const), options: fc.record({ initial: maybe(positive), minimum: maybe(unit), period: maybe(positive) }, { requiredKeys: [] }) }),
  fc.record({ kind: fc.constant('junk' as const), options: junk }),
);
const SCHEDULES = { step: stepDecay, exponential: exponentialDecay, cosine: cosineDecay } as const;

const policyArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('earlyStopping' as const), options: fc.record({ monitor: monitorArb, patience: maybe(fc.integer({ min: 0, max: 3 })), minDelta: maybe(unit), mode: modeArb, restoreBest: maybe(fc.boolean()) }, { requiredKeys: [] }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('lrSchedule' as const), schedule: scheduleArb, options: fc.record({ per: maybe(fc.constantFrom('step', 'epoch', 'week')) }, { requiredKeys: [] }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('reduceLrOnPlateau' as const), options: fc.record({ monitor: monitorArb, factor: maybe(unit), patience: maybe(fc.integer({ min: 0, max: 3 })), minDelta: maybe(unit), minLr: maybe(unit) }, { requiredKeys: [] }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('divergenceGuard' as const), options: fc.record({ maxLoss: maybe(positive), maxGradNorm: maybe(positive) }, { requiredKeys: [] }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('checkpointBest' as const),
      options: fc.record({ monitor: monitorArb, mode: modeArb, minDelta: maybe(unit) }, { requiredKeys: [] }),
      // Usually a save that keeps the checkpoint; sometimes none, or junk.
      save: fc.oneof({ weight: 20, arbitrary: fc.constant('keep' as const) }, { weight: 1, arbitrary: junk }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('junk' as const), value: junk }) },
);

type PolicyChoice = typeof policyArb extends fc.Arbitrary<infer P> ? P : never;
type OptimizerChoice = typeof optimizerArb extends fc.Arbitrary<infer O> ? O : never;

/** Calls a factory with random settings: its result, or undefined when it refused them (with a GradstreamError, the only way allowed). */
function made<T>(factory: () => T): T | undefined {
  try {
    return factory();
  } catch (e) {
    expectGradstream(e);
    return undefined;
  }
}

function makePolicy(p: PolicyChoice, saved: unknown[]): unknown {
  switch (p.kind) {
    case 'earlyStopping':
      return made(() => earlyStopping(p.options as never));
    case 'lrSchedule': {
      const s = p.schedule;
      const schedule = s.kind === 'junk' ? s.options : made(() => SCHEDULES[s.kind](s.options as never));
      if (schedule === undefined) return undefined;
      return made(() => lrSchedule(schedule as never, p.options as never));
    }
    case 'reduceLrOnPlateau':
      return made(() => reduceLrOnPlateau(p.options as never));
    case 'divergenceGuard':
      return made(() => divergenceGuard(p.options as never));
    case 'checkpointBest':
      return made(() => checkpointBest({ ...p.options, save: p.save === 'keep' ? (c: unknown) => void saved.push(c) : p.save } as never));
    case 'junk':
      return p.value;
  }
}

function makeOptimizer(o: OptimizerChoice): unknown {
  return o.factory === 'junk' ? o.options : made(() => OPTIMIZERS[o.factory](o.options as never));
}

const fitOptionsArb = fc.record(
  {
    // Junk, but not a valid count: a run of 1e154 epochs is not a hang, only long.
    epochs: fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 1, max: 5 }) },
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: junk.filter((v) => !(Number.isInteger(v) && (v as number) > 5)) },
    ),
    batchSize: maybe(fc.integer({ min: 1, max: 10 })),
    seed: maybe(fc.integer({ min: -5, max: 2 ** 40 })),
    shuffle: maybe(fc.boolean()),
    metrics: maybe(fc.subarray(['mse', 'mae', 'rmse', 'accuracy'])),
    validation: maybe(fc.oneof(fc.record({ split: fc.oneof({ weight: 8, arbitrary: unit }, { weight: 1, arbitrary: junk }) }), fc.constant('arrays'))),
    gradients: maybe(fc.boolean()),
    trace: maybe(fc.boolean()),
    params: maybe(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant('epoch'))),
    sliceMs: maybe(fc.constantFrom(0, 1, 20)),
    profile: maybe(fc.boolean()),
    optimizer: fc.option(optimizerArb, { nil: undefined }),
    regularization: maybe(fc.record({ l1: maybe(fc.oneof(fc.constant(0), positive)), l2: maybe(fc.oneof(fc.constant(0), positive)) }, { requiredKeys: [] })),
    policies: fc.oneof({ weight: 12, arbitrary: fc.array(policyArb, { maxLength: 3 }) }, { weight: 1, arbitrary: junk }),
    // Only junk here: resuming from real checkpoints is packages/trainer/test/resume.test.ts's.
    resume: fc.oneof({ weight: 20, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: junk }),
    signal: fc.constantFrom('none', 'none', 'none', 'aborted', 'soon'),
  },
  { requiredKeys: ['epochs', 'signal'] },
);

/** What a run did: its events, its error (if it failed), whether it never finished. */
interface Outcome {
  readonly events: TrainEvent[];
  readonly error: unknown;
  readonly hung: boolean;
}

/** Subscribes and waits for the end, the error, or {@link HANG_MS}; `onEvent` sees each event as it comes. */
function outcome(run$: Observable<TrainEvent>, onEvent: (e: TrainEvent, index: number) => void = () => {}): Promise<Outcome> {
  const events: TrainEvent[] = [];
  return new Promise((resolve) => {
    let settled = false;
    const settle = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      settle({ events, error: undefined, hung: true });
    }, HANG_MS);
    const subscription = run$.subscribe({
      next: (e) => {
        events.push(e);
        onEvent(e, events.length - 1);
      },
      error: (error: unknown) => settle({ events, error, hung: false }),
      complete: () => settle({ events, error: undefined, hung: false }),
    });
  });
}

const ENDS = ['completed', 'stopped', 'early-stop', 'diverged', 'aborted'];

/** The run's contract, whatever it was given. */
function expectWellEnded(model: Model, o: Outcome, allowAborted: boolean, describe: () => string): void {
  const where = (): string => {
    const types = o.events.map((e) => e.type);
    return `\n${describe()}\nevents: ${types.length > 40 ? `${types.slice(0, 20).join(' ')} … (${types.length} in all) … ${types.slice(-10).join(' ')}` : types.join(' ')}`;
  };
  if (o.hung) throw new Error(`the run neither ended nor failed within ${HANG_MS} ms${where()}`);
  const last = o.events[o.events.length - 1];
  if (o.error !== undefined) {
    if (!(o.error instanceof GradstreamError)) {
      throw new Error(`the run failed with ${String((o.error as Error)?.name)}: ${String((o.error as Error)?.message)}, not a GradstreamError${where()}`, { cause: o.error });
    }
    expectGradstream(o.error);
    if (last?.type !== 'error' || last.code !== o.error.code) throw new Error(`the run failed with ${o.error.code} without an error event announcing it${where()}`);
  } else {
    if (last?.type !== 'end') throw new Error(`the run completed without an end event${where()}`);
    if (!ENDS.includes(last.reason) || (last.reason === 'aborted' && !allowAborted)) throw new Error(`the run ended with reason ${last.reason}${where()}`);
    if (o.events.filter((e) => e.type === 'end').length !== 1) throw new Error(`more than one end event${where()}`);
  }
  // The events in order: start first; steps and epochs counted one by one; an epoch closes the one that started.
  const first = o.events[0];
  if (first !== undefined && first.type !== 'start' && first.type !== 'error') throw new Error(`the first event is ${first.type}${where()}`);
  let step = 0;
  let open = 0;
  for (const e of o.events) {
    if (e.type === 'batch' && e.step !== ++step) throw new Error(`batch event of step ${e.step} after step ${step - 1}${where()}`);
    if (e.type === 'epochStart' && e.epoch !== ++open) throw new Error(`epoch ${e.epoch} started after epoch ${open - 1}${where()}`);
    if (e.type === 'epoch' && e.epoch !== open) throw new Error(`epoch ${e.epoch} closed while epoch ${open} is open${where()}`);
  }
  const diverged = last?.type === 'end' && last.reason === 'diverged';
  if (!diverged && o.error === undefined) {
    for (const p of model.parameters()) {
      const bad = p.value.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new Error(`parameter ${p.id}[${bad}] is ${p.value.data[bad]} after an end with reason ${last?.type === 'end' ? last.reason : '?'}${where()}`);
    }
  }
}

/** Plain text of a value for failure messages (BigInt and null-prototype objects included). */
function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** How the random runs ended, to see the generator reaches training and not only option checks. */
const tally = { runs: 0, trained: 0, outcomes: {} as Record<string, number> };

describe('fuzz: fit with random options', () => {
  it('ends with an end event or a GradstreamError, leaves finite parameters unless it diverged, never hangs', { timeout: TEST_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(
        modelArb.chain((m) =>
          fc.record({
            model: fc.constant(m),
            data: dataArb(m.kind),
            validation: dataArb(m.kind),
            options: fitOptionsArb,
            stream: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
          }),
        ),
        async ({ model: m, data, validation, options: o, stream }) => {
          const model = MODELS[m.kind](m.seed, m.backend, m.dtype);
          const saved: unknown[] = [];
          const options: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(o)) {
            if (v === undefined || k === 'signal') continue;
            if (k === 'optimizer') {
              const opt = makeOptimizer(v as OptimizerChoice);
              if (opt !== undefined) options.optimizer = opt;
            } else if (k === 'policies') {
              options.policies = Array.isArray(v) ? (v as PolicyChoice[]).map((p) => makePolicy(p, saved)).filter((p) => p !== undefined) : v;
            } else if (k === 'validation') {
              options.validation = v === 'arrays' ? validation : v;
            } else {
              options[k] = v;
            }
          }
          if (o.signal === 'aborted') options.signal = AbortSignal.abort();
          if (o.signal === 'soon') options.signal = AbortSignal.timeout(5);
          // Arrays, or the same samples as a stream (Observable) of { x, y }.
          const trainData: TrainData = stream ? of(...data.x.map((x, i) => ({ x, y: data.y[i] ?? [] }))) : data;
          const o2 = await outcome(fit(model, trainData, options as unknown as FitOptions));
          expectWellEnded(model, o2, o.signal !== 'none', () => `model ${show(m)}, ${stream ? 'stream' : 'arrays'} ${show(data)}, options ${show(o)}`);
          for (const c of saved) expect(() => fromCheckpoint(c)).not.toThrow();
          assertNoPollution();
          const last = o2.events[o2.events.length - 1];
          const key = last?.type === 'end' ? last.reason : o2.error instanceof GradstreamError ? o2.error.code : '?';
          tally.outcomes[key] = (tally.outcomes[key] ?? 0) + 1;
          if (o2.events.some((e) => e.type === 'batch')) tally.trained++;
          tally.runs++;
        },
      ),
    );
  });

  it('trained in a good share of the runs, and ended in every way', () => {
    expect(tally.runs).toBeGreaterThan(0);
    expect(tally.trained).toBeGreaterThan(0.2 * tally.runs);
    // An early stop is rarer (a few in a thousand runs): counted only in larger runs.
    const ways = ['completed', 'diverged', 'aborted', 'INVALID_OPTION', 'INVALID_DATA', ...(tally.runs >= 1000 ? ['early-stop'] : [])];
    for (const way of ways) expect(tally.outcomes[way], `${way} in ${JSON.stringify(tally)}`).toBeGreaterThan(0);
  });
});

// ---- control commands during a run

const COMMANDS = ['pause', 'resume', 'step', 'stop', 'keepParams', 'checkpoint'] as const;
const commandArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>(...COMMANDS) },
  {
    weight: 6,
    arbitrary: fc.oneof(
      fc.record({ type: fc.constant('step'), count: maybe(fc.integer({ min: 1, max: 5 })) }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constant('stop'), reason: maybe(fc.string({ maxLength: 5 })) }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constant('setLr'), lr: fc.oneof(positive, junk) }),
      fc.record({ type: fc.constant('setRegularization'), l1: maybe(fc.oneof(fc.constant(0), positive)), l2: maybe(fc.oneof(fc.constant(0), positive)) }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constant('earlyStop'), monitor: maybe(fc.constantFrom('loss', 'val_loss')), bestEpoch: maybe(fc.integer({ min: 0, max: 3 })), best: maybe(finite), restore: maybe(fc.boolean()) }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constant('diverge'), where: maybe(fc.string({ maxLength: 5 })), node: maybe(fc.constantFrom('linear_1', 'nope')) }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constant('checkpoint'), tag: maybe(fc.string({ maxLength: 5 })), meta: maybe(fc.constant({ note: 'fuzz' })) }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constantFrom('pause', 'resume', 'keepParams') }),
      // A policy's state for checkpoints; from a control stream it concerns no policy.
      fc.record({ type: fc.constant('saveState'), state: fc.oneof(fc.jsonValue({ maxDepth: 2 }), junk) }, { requiredKeys: ['type'] }),
    ),
  },
  { weight: 1, arbitrary: junk },
);
/** When a command is sent: after some turns of the event loop, or from inside the handler of the run's n-th event. */
const timingArb = fc.oneof(fc.record({ turns: fc.integer({ min: 0, max: 6 }) }), fc.record({ onEvent: fc.integer({ min: 0, max: 40 }) }));

const turns = (n: number): Promise<void> => (n <= 0 ? Promise.resolve() : new Promise((r) => setImmediate(() => void turns(n - 1).then(r))));

/** How the runs under random commands ended. */
const controlTally: Record<string, number> = {};

describe('fuzz: control commands during a run', () => {
  it('random command sequences, then stop: the run ends or fails with INVALID_COMMAND, never hangs', { timeout: TEST_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(
        modelArb,
        fc.array(fc.record({ at: timingArb, command: commandArb }), { maxLength: 8 }),
        fc.record({ epochs: fc.integer({ min: 1, max: 30 }), batchSize: fc.integer({ min: 1, max: 4 }), sliceMs: fc.constantFrom(0, 1), validation: fc.boolean() }),
        async (m, script, run) => {
          const model = MODELS[m.kind](m.seed, m.backend, m.dtype);
          const data = m.kind === 'regression' ? { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] } : { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]] };
          const control = new Subject<unknown>();
          const byEvent = new Map<number, unknown[]>();
          const timed: { turns: number; command: unknown }[] = [];
          for (const { at, command } of script) {
            if ('onEvent' in at) byEvent.set(at.onEvent, [...(byEvent.get(at.onEvent) ?? []), command]);
            else timed.push({ turns: at.turns, command });
          }
          const run$ = fit(model, data, { ...run, validation: run.validation ? data : undefined, control: control as unknown as Observable<never> } as FitOptions);
          const done = outcome(run$, (_e, i) => {
            for (const c of byEvent.get(i) ?? []) control.next(c);
          });
          for (const t of timed) {
            await turns(t.turns);
            control.next(t.command);
          }
          // Whatever the script left (a pause, a pending step), a stop ends the run.
          await turns(1);
          control.next('stop');
          const o = await done;
          expectWellEnded(model, o, false, () => `model ${show(m)}, run ${show(run)}, script ${show(script)}`);
          if (o.error !== undefined) expect((o.error as GradstreamError).code).toBe('INVALID_COMMAND');
          for (const e of o.events) if (e.type === 'checkpoint') expect(fromCheckpoint(e.checkpoint).model.parameters().length).toBe(model.parameters().length);
          const end = o.events[o.events.length - 1];
          const way = end?.type === 'end' ? end.reason : (o.error as GradstreamError).code;
          controlTally[way] = (controlTally[way] ?? 0) + 1;
          if (end?.type === 'end') {
            // The end counts what the events showed.
            expect(end.epochs).toBe(o.events.filter((e) => e.type === 'epoch').length);
            expect(end.steps).toBeLessThanOrEqual(o.events.filter((e) => e.type === 'batch').length);
          }
        },
      ),
    );
  });

  it('ended runs in every way the commands allow', () => {
    for (const way of ['stopped', 'completed', 'early-stop', 'diverged', 'INVALID_COMMAND']) expect(controlTally[way], `${way} in ${JSON.stringify(controlTally)}`).toBeGreaterThan(0);
  });
});

describe('cases the properties above found', () => {
  const regression = (): Model => MODELS.regression(1, 'ts', 'float32');
  const data = { x: [[0, 1], [1, 0]], y: [[1], [0]] };
  /** The run's error: a GradstreamError of `code`, announced by an error event. */
  async function failsWith(options: Record<string, unknown>, code: string, message: RegExp): Promise<void> {
    const o = await outcome(fit(regression(), data, { epochs: 1, ...options } as unknown as FitOptions));
    expect(o.error).toBeInstanceOf(GradstreamError);
    expect((o.error as GradstreamError).code).toBe(code);
    expect((o.error as GradstreamError).message).toMatch(message);
    expect(o.events[o.events.length - 1]).toEqual({ type: 'error', code, message: (o.error as GradstreamError).message });
  }
  const nullPrototype = (): unknown => Object.create(null) as unknown;

  it('options String() cannot convert fail the run with INVALID_OPTION, not a TypeError', async () => {
    await failsWith({ sliceMs: nullPrototype() }, 'INVALID_OPTION', /^fit: sliceMs must be a number ≥ 0, got \{\}$/);
    await failsWith({ seed: nullPrototype() }, 'INVALID_OPTION', /^Rng\.fromSeed: seed must be a safe integer, got object$/);
  });

  it('options of the wrong kind fail the run with an error event, also those read when it is set up', async () => {
    await failsWith({ metrics: 'accuracy' }, 'INVALID_OPTION', /^fit: metrics must be a list of metric names such as \['accuracy'\], got "accuracy"$/);
    await failsWith({ optimizer: 0.1 }, 'INVALID_OPTION', /^fit: optimizer must be made by sgd, momentum, adam or adamw .*, got 0\.1$/);
    await failsWith({ policies: {} }, 'INVALID_OPTION', /^fit: policies must be an array of policies, got \{\}$/);
    await failsWith({ validation: 0.2 }, 'INVALID_OPTION', /^fit: validation must be arrays \{ x, y \} or \{ split \}, got 0\.2$/);
    await failsWith({ validation: {} }, 'INVALID_DATA', /expected rows \(an array of numbers or of arrays, a typed array or a Tensor\), got undefined$/);
  });

  it('policy and optimizer settings of the wrong type are refused when the policy or optimizer is made', () => {
    const refused = (make: () => unknown, message: RegExp): void => {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GradstreamError);
      expect((error as GradstreamError).code).toBe('INVALID_OPTION');
      expect((error as GradstreamError).message).toMatch(message);
    };
    refused(() => lrSchedule(Number.NaN as never), /^lrSchedule: schedule must be a function \(t\) => lr, such as stepDecay\(…\), got number$/);
    refused(() => checkpointBest({ monitor: Number.NaN as never, save: () => {} }), /^checkpointBest: monitor must be the name of a reported value such as 'val_loss', got NaN$/);
    refused(() => earlyStopping({ monitor: 'loss', minDelta: nullPrototype() as never }), /^earlyStopping: minDelta must be a finite number, got \{\}$/);
    refused(() => earlyStopping({ monitor: 'loss', mode: 'sideways' as never }), /^earlyStopping: mode must be 'min', 'max' or 'auto', got "sideways"$/);
    refused(() => checkpointBest({ monitor: 'loss' } as never), /^checkpointBest: save must be a function \(checkpoint\) => void or a promise, got undefined$/);
    refused(() => divergenceGuard({ maxLoss: nullPrototype() as never }), /^divergenceGuard: maxLoss must be a number, got \{\}$/);
    refused(() => sgd({ lr: 10n as never }), /^sgd: lr must be a finite number > 0, got 10n$/);
  });

  it('a last update that overflows ends the run as diverged, not completed with infinite parameters', async () => {
    const model = regression();
    const o = await outcome(fit(model, { x: [[30, 30]], y: [[-30]] }, { epochs: 1, batchSize: 1, optimizer: sgd({ lr: 3e38 }) }));
    const end = o.events[o.events.length - 1];
    expect(end).toMatchObject({ type: 'end', reason: 'diverged', steps: 1, divergence: { step: 1, epoch: 1 } });
    expect((end as { divergence: { where: string } }).divergence.where).toMatch(/^parameter linear_\d\.(weight|bias) \(-?Infinity at \d+\) after the update of step 1$/);
    expect(model.parameters().some((p) => p.value.data.some((v) => !Number.isFinite(v)))).toBe(true);
  });
});
