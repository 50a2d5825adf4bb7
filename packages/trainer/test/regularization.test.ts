import { Subject, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromCheckpoint, sequential, type Checkpoint, type Model } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { GradstreamError, Rng } from '@gradstream/tensor';
import { adam, fit, momentum, sgd, type ArrayData, type BatchEvent, type FitOptions, type Optimizer, type TrainCommand, type TrainEvent } from '../src/index.js';

// L1/L2 weight regularization: the penalty l1·Σ|w| + (l2/2)·Σw² over the parameters named `weight`,
// its gradient l1·sign(w) + l2·w added before the optimizer's update; the reported loss stays the
// data loss. Where numbers are compared, float64 on the TypeScript backend, so hand derivations
// hold to rounding (the kernel itself is compared across backends in test/fuzz-kernels.test.ts).

/** One linear layer, 3 → 1, with the weights [0.5, 0, −0.25] and the bias 0.25. */
function tiny(): Model {
  const m = sequential([linear({ inFeatures: 3, outFeatures: 1 })], { inputShape: [3], loss: mse(), dtype: 'float64', backend: 'ts' });
  param(m, 'linear_1.weight').set([0.5, 0, -0.25]);
  param(m, 'linear_1.bias').set([0.25]);
  return m;
}

/** x = [1, 2, 1], y = 3: the prediction is 0.5 + 0 − 0.25 + 0.25 = 0.5, so ∂L/∂pred = 0.5 − 3 = −2.5 (MSE is ½(pred − y)²). */
const one: ArrayData = { x: [[1, 2, 1]], y: [[3]] };
/** ∂L/∂w = −2.5·x and ∂L/∂b = −2.5. */
const G = [-2.5, -5, -2.5];
const GB = -2.5;
const W0 = [0.5, 0, -0.25];

function param(m: Model, id: string): Float32Array | Float64Array {
  const p = m.parameters().find((r) => r.id === id);
  if (p === undefined) throw new Error(`no parameter ${id}`);
  return p.value.data;
}

async function events(m: Model, data: ArrayData, options: FitOptions): Promise<TrainEvent[]> {
  return lastValueFrom(fit(m, data, options).pipe(toArray()));
}

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);

/** Runs until the error; returns it (the run must fail). */
async function failure(run$: ReturnType<typeof fit>): Promise<GradstreamError> {
  const error = await new Promise<unknown>((resolve) => run$.subscribe({ next: () => {}, error: resolve, complete: () => resolve(undefined) }));
  expect(error).toBeInstanceOf(GradstreamError);
  return error as GradstreamError;
}

describe('one step with a weight penalty, by hand', () => {
  // Each optimizer's first step, from zero state, written out: SGD and momentum move by lr·g′, Adam
  // by lr·g′/(|g′| + ε); g′ is the penalized gradient, so momentum and Adam see the penalty.
  const steps: readonly [string, () => Optimizer, (w: number, g: number) => number][] = [
    ['sgd', () => sgd({ lr: 0.1 }), (w, g) => w - 0.1 * g],
    ['momentum', () => momentum({ lr: 0.1, momentum: 0.9 }), (w, g) => w - 0.1 * g],
    ['adam', () => adam({ lr: 0.1 }), (w, g) => w - (0.1 * g) / (Math.abs(g) + 1e-8)],
  ];

  for (const [name, optimizer, step] of steps) {
    it(`l2 = λ (${name}): w − lr·(g + λw) on the weights; the bias takes the plain step`, async () => {
      const m = tiny();
      await events(m, one, { epochs: 1, batchSize: 1, optimizer: optimizer(), regularization: { l2: 0.1 } });
      const want = W0.map((w, i) => step(w, (G[i] as number) + 0.1 * w));
      // [0.745, 0.5, 0.0025] for sgd
      Array.from(param(m, 'linear_1.weight')).forEach((w, i) => expect(w).toBeCloseTo(want[i] as number, 14));
      expect(param(m, 'linear_1.bias')[0]).toBeCloseTo(step(0.25, GB), 14);
    });

    it(`l1 (${name}): w − lr·(g + l1·sign(w)), sign(0) = 0`, async () => {
      const m = tiny();
      await events(m, one, { epochs: 1, batchSize: 1, optimizer: optimizer(), regularization: { l1: 0.2 } });
      const want = W0.map((w, i) => step(w, (G[i] as number) + 0.2 * sign(w)));
      // [0.73, 0.5, 0.02] for sgd: the weight at 0 takes the plain step
      Array.from(param(m, 'linear_1.weight')).forEach((w, i) => expect(w).toBeCloseTo(want[i] as number, 14));
      expect(param(m, 'linear_1.bias')[0]).toBeCloseTo(step(0.25, GB), 14);
    });
  }

  it('sgd: the numbers written out', async () => {
    const l2 = tiny();
    await events(l2, one, { epochs: 1, batchSize: 1, optimizer: sgd({ lr: 0.1 }), regularization: { l2: 0.1 } });
    // 0.5 − 0.1·(−2.5 + 0.05), 0 − 0.1·(−5), −0.25 − 0.1·(−2.5 − 0.025)
    expect(Array.from(param(l2, 'linear_1.weight')).map((w) => Number(w.toFixed(12)))).toEqual([0.745, 0.5, 0.0025]);
    const l1 = tiny();
    await events(l1, one, { epochs: 1, batchSize: 1, optimizer: sgd({ lr: 0.1 }), regularization: { l1: 0.2, l2: 0 } });
    // 0.5 − 0.1·(−2.5 + 0.2), 0 − 0.1·(−5 + 0), −0.25 − 0.1·(−2.5 − 0.2)
    expect(Array.from(param(l1, 'linear_1.weight')).map((w) => Number(w.toFixed(12)))).toEqual([0.73, 0.5, 0.02]);
  });

  it('the bias, and the reported loss, are those of a run without the penalty, bit for bit', async () => {
    const plain = tiny();
    const penalized = tiny();
    const a = await events(plain, { x: [[1, 2, 1], [0, 1, -1]], y: [[3], [1]] }, { epochs: 3, batchSize: 2, shuffle: false, optimizer: sgd({ lr: 0.1 }) });
    const b = await events(penalized, { x: [[1, 2, 1], [0, 1, -1]], y: [[3], [1]] }, { epochs: 3, batchSize: 2, shuffle: false, optimizer: sgd({ lr: 0.1 }), regularization: { l1: 0.5, l2: 2 } });
    const losses = (es: TrainEvent[]) => es.flatMap((e) => (e.type === 'batch' ? [e.loss] : []));
    // Step 1 starts from the same weights: the same data loss, ½(0.5 − 3)² and ½(0.5 − 1)² averaged, no penalty in it.
    expect(losses(b)[0]).toBe(losses(a)[0]);
    expect(losses(b)[0]).toBe(1.625);
    // Later the weights differ, and so do the losses; after one step the bias is still the same.
    expect(losses(b)[1]).not.toBe(losses(a)[1]);
    const first = tiny();
    const second = tiny();
    await events(first, one, { epochs: 1, batchSize: 1, optimizer: sgd({ lr: 0.1 }) });
    await events(second, one, { epochs: 1, batchSize: 1, optimizer: sgd({ lr: 0.1 }), regularization: { l1: 0.5, l2: 2 } });
    expect(param(second, 'linear_1.bias')[0]).toBe(param(first, 'linear_1.bias')[0]);
    expect(param(second, 'linear_1.weight')[0]).not.toBe(param(first, 'linear_1.weight')[0]);
  });

  it('rates of 0 train exactly as no option', async () => {
    const plain = tiny();
    const zero = tiny();
    const data = { x: [[1, 2, 1], [0, 1, -1], [2, 0, 1]], y: [[3], [1], [-1]] };
    await events(plain, data, { epochs: 4, batchSize: 2, optimizer: adam({ lr: 0.05 }) });
    await events(zero, data, { epochs: 4, batchSize: 2, optimizer: adam({ lr: 0.05 }), regularization: { l1: 0, l2: 0 } });
    expect(Array.from(param(zero, 'linear_1.weight'))).toEqual(Array.from(param(plain, 'linear_1.weight')));
  });
});

describe('the penalized gradient against central differences (float64)', () => {
  it('a 3-4-2 network: (θ before − θ after one SGD step of lr 1) = ∇(data loss + l1·Σ|w| + (l2/2)·Σw²), weights only', async () => {
    const model = (): Model =>
      sequential([linear({ inFeatures: 3, outFeatures: 4 }), sigmoid(), linear({ inFeatures: 4, outFeatures: 2 })], {
        inputShape: [3],
        loss: mse(),
        seed: 5,
        dtype: 'float64',
        backend: 'ts',
      });
    const rng = Rng.fromSeed(9);
    const rows = 5;
    const data = {
      x: Array.from({ length: rows }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]),
      y: Array.from({ length: rows }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]),
    };
    const l1 = 0.03;
    const l2 = 0.2;

    const m = model();
    const refs = m.parameters();
    const before = refs.map((p) => Float64Array.from(p.value.data));
    await events(m, data, { epochs: 1, batchSize: rows, shuffle: false, optimizer: sgd({ lr: 1 }), regularization: { l1, l2 } });
    const applied = refs.map((p, k) => Array.from(p.value.data, (v, j) => (before[k] as Float64Array)[j]! - v));

    // The objective, from the model's own data loss on the whole batch plus the penalty written here.
    const plan = m.compile(rows);
    plan.x.data.set(data.x.flat());
    plan.y.data.set(data.y.flat());
    const objective = (): number => {
      let penalty = 0;
      for (const p of refs) if (p.name === 'weight') for (const w of p.value.data) penalty += l1 * Math.abs(w) + (l2 / 2) * w * w;
      return plan.forward() + penalty;
    };
    refs.forEach((p, k) => p.value.data.set(before[k] as Float64Array));
    const h = 1e-6;
    let penalized = 0;
    refs.forEach((p, k) => {
      const d = p.value.data;
      for (let j = 0; j < d.length; j++) {
        const w = d[j] as number;
        // |w| has a kink at 0: the difference must not straddle it (biases start at 0 but are not penalized).
        if (p.name === 'weight') expect(Math.abs(w)).toBeGreaterThan(100 * h);
        d[j] = w + h;
        const up = objective();
        d[j] = w - h;
        const down = objective();
        d[j] = w;
        const numeric = (up - down) / (2 * h);
        const got = (applied[k] as number[])[j] as number;
        expect(Math.abs(got - numeric), `${p.id}[${j}]: ${got} vs ${numeric}`).toBeLessThan(1e-7 * (1 + Math.abs(numeric)));
        if (p.name === 'weight') penalized++;
      }
    });
    expect(penalized).toBe(3 * 4 + 4 * 2);
  });
});

describe('setRegularization', () => {
  it('changes the rates of the following steps, in a run started without the option; an omitted rate keeps its value', async () => {
    const m = sequential([linear({ inFeatures: 2, outFeatures: 3 }), sigmoid(), linear({ inFeatures: 3, outFeatures: 1 })], {
      inputShape: [2],
      loss: mse(),
      seed: 3,
      dtype: 'float64',
      backend: 'ts',
    });
    const rng = Rng.fromSeed(4);
    const data = { x: Array.from({ length: 8 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]), y: Array.from({ length: 8 }, () => [rng.uniform(-1, 1)]) };
    const initial = Object.fromEntries(m.parameters().map((p) => [p.id, Array.from(p.value.data)]));
    const control = new Subject<TrainCommand>();
    // Sent while step k's batch event is handled: step k's update keeps the old rates, step k + 1 takes the new.
    const sends: Readonly<Record<number, TrainCommand>> = {
      1: { type: 'setRegularization', l2: 0.5 },
      3: { type: 'setRegularization', l1: 0.1 },
      5: { type: 'setRegularization', l1: 0, l2: 0 },
    };
    const rates: readonly (readonly [number, number])[] = [[0, 0], [0, 0.5], [0, 0.5], [0.1, 0.5], [0.1, 0.5], [0, 0]];
    const lr = 0.1;
    const all: TrainEvent[] = [];
    await new Promise<void>((resolve, reject) =>
      fit(m, data, { epochs: 3, batchSize: 4, shuffle: false, optimizer: sgd({ lr }), gradients: true, params: 1, control }).subscribe({
        next: (e) => {
          all.push(e);
          const c = e.type === 'batch' ? sends[e.step] : undefined;
          if (c !== undefined) control.next(c);
        },
        error: reject,
        complete: resolve,
      }),
    );
    const batches = all.filter((e): e is BatchEvent => e.type === 'batch');
    const after = all.flatMap((e) => (e.type === 'params' ? [e.params] : []));
    expect(batches).toHaveLength(6);
    expect(after).toHaveLength(6);
    batches.forEach((b, k) => {
      const [l1, l2] = rates[k] as readonly [number, number];
      for (const p of m.parameters()) {
        const w0 = k === 0 ? (initial[p.id] as number[]) : (after[k - 1]?.[p.id]?.values as number[]);
        const g = b.gradients?.[p.id]?.values as number[];
        const w1 = after[k]?.[p.id]?.values as number[];
        w0.forEach((w, j) => {
          const penalty = p.name === 'weight' ? l1 * sign(w) + l2 * w : 0;
          expect(w1[j], `step ${k + 1} ${p.id}[${j}]`).toBeCloseTo(w - lr * ((g[j] as number) + penalty), 13);
        });
      }
    });
  });

  it('a checkpoint keeps the rates; a run resumed from it goes on with them and ends where the uninterrupted run ends', async () => {
    const model = (): Model =>
      sequential([linear({ inFeatures: 2, outFeatures: 3 }), sigmoid(), linear({ inFeatures: 3, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 8, dtype: 'float64' });
    const rng = Rng.fromSeed(6);
    const data = { x: Array.from({ length: 12 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]), y: Array.from({ length: 12 }, () => [rng.uniform(-1, 1)]) };
    const options = (): FitOptions => ({ epochs: 4, batchSize: 4, seed: 2, optimizer: adam({ lr: 0.05 }), regularization: { l2: 0.01 } });
    const trained = (control: Subject<TrainCommand>, onBatch: (step: number) => void, m: Model, o: FitOptions): Promise<TrainEvent[]> => {
      const all: TrainEvent[] = [];
      return new Promise((resolve, reject) =>
        fit(m, data, { ...o, control }).subscribe({
          next: (e) => {
            all.push(e);
            if (e.type === 'batch') onBatch(e.step);
            if (e.type === 'checkpoint') control.next('stop');
          },
          error: reject,
          complete: () => resolve(all),
        }),
      );
    };
    const raise = { type: 'setRegularization', l1: 0.002 } as const;

    const whole = model();
    const wholeControl = new Subject<TrainCommand>();
    await trained(wholeControl, (step) => step === 3 && wholeControl.next(raise), whole, options());

    const control = new Subject<TrainCommand>();
    const first = await trained(
      control,
      (step) => {
        if (step === 3) control.next(raise);
        if (step === 5) control.next('checkpoint');
      },
      model(),
      options(),
    );
    const checkpoint = first.flatMap((e) => (e.type === 'checkpoint' ? [e.checkpoint] : []))[0] as Checkpoint;
    expect((checkpoint.run as { regularization: unknown }).regularization).toEqual({ l1: 0.002, l2: 0.01 });

    // Resumed without the option: the rates come from the checkpoint.
    const { model: second, ...state } = fromCheckpoint(JSON.parse(JSON.stringify(checkpoint)) as Checkpoint);
    const { regularization: _unused, ...withoutOption } = options();
    await events(second, data, { ...withoutOption, resume: state });
    const values = (m: Model) => m.parameters().map((p) => Array.from(p.value.data));
    expect(values(second)).toEqual(values(whole));
  });
});

describe('invalid rates', () => {
  const m = () => sequential([linear({ inFeatures: 3, outFeatures: 1 })], { inputShape: [3], loss: mse() });

  const options: readonly [string, unknown, RegExp][] = [
    ['l1 −1', { l1: -1 }, /^fit: regularization\.l1 must be a finite number >= 0, got -1$/],
    ['l2 NaN', { l2: Number.NaN }, /^fit: regularization\.l2 must be a finite number >= 0, got NaN$/],
    ['l2 Infinity', { l2: Infinity }, /regularization\.l2 must be a finite number >= 0, got Infinity/],
    ['l1 a string', { l1: '0.1' }, /regularization\.l1 must be a finite number >= 0, got "0\.1"/],
    ['an unknown rate', { l3: 0.1 }, /^fit: regularization: unknown option "l3" \(known: l1, l2\)$/],
    ['a number', 0.01, /^fit: regularization must be an object \{ l1\?, l2\? \} of rates ≥ 0, got 0\.01$/],
    ['null', null, /regularization must be an object .* got null/],
  ];
  for (const [name, value, message] of options) {
    it(`the option with ${name}: INVALID_OPTION naming it, before any step`, async () => {
      const seen: TrainEvent[] = [];
      // Not a FitOptions: what a caller without types (JavaScript, JSON from elsewhere) may pass.
      const run$ = fit(m(), one, { epochs: 1, regularization: value } as unknown as FitOptions);
      run$.subscribe({ next: (e) => void seen.push(e), error: () => {} });
      const error = await failure(run$);
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message).toMatch(message);
      expect(seen.some((e) => e.type === 'batch')).toBe(false);
    });
  }

  const commands: readonly [string, unknown, RegExp][] = [
    ['l1 −0.5', { type: 'setRegularization', l1: -0.5 }, /^command \{"type":"setRegularization","l1":-0\.5\}: setRegularization\.l1 must be a finite number ≥ 0, got -0\.5$/],
    ['l2 Infinity', { type: 'setRegularization', l2: Infinity }, /setRegularization\.l2 must be a finite number ≥ 0, got Infinity$/],
    ['l2 a string', { type: 'setRegularization', l1: 0.1, l2: '0.1' }, /setRegularization\.l2 must be a finite number ≥ 0, got "0\.1"$/],
  ];
  for (const [name, command, message] of commands) {
    it(`setRegularization with ${name}: INVALID_COMMAND naming the field`, async () => {
      const control = new Subject<TrainCommand>();
      const run$ = fit(m(), one, { epochs: 1000, batchSize: 1, control });
      run$.subscribe({ next: (e) => e.type === 'batch' && e.step === 2 && control.next(command as TrainCommand), error: () => {} });
      const error = await failure(run$);
      expect(error.code).toBe('INVALID_COMMAND');
      expect(error.message).toMatch(message);
    });
  }

  it('a checkpoint whose rates are out of range: INVALID_OPTION naming resume.run/regularization', async () => {
    const control = new Subject<TrainCommand>();
    let checkpoint: Checkpoint | undefined;
    await new Promise<void>((resolve, reject) =>
      fit(m(), one, { epochs: 5, batchSize: 1, control, regularization: { l2: 0.1 } }).subscribe({
        next: (e) => {
          if (e.type === 'batch' && e.step === 2) control.next('checkpoint');
          if (e.type === 'checkpoint') {
            checkpoint = e.checkpoint;
            control.next('stop');
          }
        },
        error: reject,
        complete: resolve,
      }),
    );
    const bad = JSON.parse(JSON.stringify(checkpoint)) as Checkpoint & { run: { regularization: { l1: number } } };
    bad.run.regularization.l1 = -1;
    const { model: again, ...state } = fromCheckpoint(bad);
    const error = await failure(fit(again, one, { epochs: 5, batchSize: 1, resume: state }));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(/resume\.run\/regularization\/l1/);
  });
});

describe('where code generation is refused (a strict Content-Security-Policy)', () => {
  // Last in this file: once refused, code generation stays off for the rest of it, as in such a page.
  it('the penalty runs as plain kernel calls, with the same numbers', async () => {
    const globals = globalThis as unknown as { Function: FunctionConstructor };
    const real = globals.Function;
    globals.Function = function refused(): never {
      throw new EvalError('Code generation from strings disallowed for this context');
    } as unknown as FunctionConstructor;
    try {
      const m = tiny();
      await events(m, one, { epochs: 1, batchSize: 1, optimizer: sgd({ lr: 0.1 }), regularization: { l1: 0.2, l2: 0.1 } });
      // 0.5 − 0.1·(−2.5 + 0.2 + 0.05), 0 − 0.1·(−5), −0.25 − 0.1·(−2.5 − 0.2 − 0.025)
      expect(Array.from(param(m, 'linear_1.weight')).map((w) => Number(w.toFixed(12)))).toEqual([0.725, 0.5, 0.0225]);
    } finally {
      globals.Function = real;
    }
  });
});
