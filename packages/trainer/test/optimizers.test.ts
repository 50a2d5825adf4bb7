import { describe, expect, it } from 'vitest';
import { lastValueFrom, takeWhile } from 'rxjs';
import { GradstreamError, Rng, Tensor, type DType } from '@gradstream/tensor';
import { adam, adamw, clipGlobalNorm, epochs$, evaluate, fit, momentum, sgd, type Optimizer, type OptimizerState } from '../src/index.js';
import { mlp, sine } from './fixtures.js';
import { expectGradstreamError } from '../../../test/support/errors.js';
import { countAllocations } from '../../../test/support/allocations.js';

const f64 = (values: number[]): Tensor => Tensor.from(values, { dtype: 'float64' });

/** Runs one step on a single float64 parameter and returns its new values. */
function stepOnce(opt: Optimizer, w: Tensor, g: number[]): number[] {
  opt.step([w], [f64(g)]);
  return Array.from(w.data);
}

function expectClose(actual: ArrayLike<number>, expected: number[], digits = 12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
}

/** Expects an INVALID_OPTION error whose message contains every word. */
const expectInvalid = (make: () => unknown, ...words: string[]): unknown => expectGradstreamError(make, 'INVALID_OPTION', ...words);

describe('sgd', () => {
  it('moves each weight by −lr·g and counts its steps', () => {
    const opt = sgd({ lr: 0.1 });
    const w = f64([1, -2]);
    expectClose(stepOnce(opt, w, [0.5, 1]), [0.95, -2.1]);
    expectClose(stepOnce(opt, w, [0.5, 1]), [0.9, -2.2]);
    expect(opt.state()).toEqual({ name: 'sgd', config: { lr: 0.1 }, steps: 2, slots: {} });
  });

  it('defaults to lr 0.01', () => {
    expect(sgd().config()).toEqual({ name: 'sgd', lr: 0.01 });
  });

  it('clips the gradient to clipNorm before the step', () => {
    // g = [3, 4] has norm 5; clipped to norm 1 it is [0.6, 0.8], so w moves by lr·[0.6, 0.8].
    const opt = sgd({ lr: 1, clipNorm: 1 });
    const w = f64([1, -2]);
    const g = f64([3, 4]);
    opt.step([w], [g]);
    expectClose(w.data, [0.4, -2.8]);
    expectClose(g.data, [0.6, 0.8]);
    expect(opt.config()).toEqual({ name: 'sgd', lr: 1, clipNorm: 1 });
  });
});

describe('momentum', () => {
  it('accumulates a velocity v ← μv + g and steps w ← w − lr·v (PyTorch semantics)', () => {
    const opt = momentum({ lr: 0.1, momentum: 0.9 });
    const w = f64([1, -2]);
    // Step 1: v = g = [0.5, 1]; w = [1 − 0.05, −2 − 0.1].
    expectClose(stepOnce(opt, w, [0.5, 1]), [0.95, -2.1]);
    // Step 2: v = 0.9·[0.5, 1] + [0.5, 1] = [0.95, 1.9]; w = [0.95 − 0.095, −2.1 − 0.19].
    expectClose(stepOnce(opt, w, [0.5, 1]), [0.855, -2.29]);
    expectClose((opt.state().slots.velocity as number[][])[0] as number[], [0.95, 1.9]);
  });

  it('looks ahead with nesterov: w ← w − lr·(g + μv)', () => {
    const opt = momentum({ lr: 0.1, momentum: 0.9, nesterov: true });
    const w = f64([1, -2]);
    // Step 1: v = g; step = g + 0.9·g = 1.9·g = [0.95, 1.9]; w = [1 − 0.095, −2 − 0.19].
    expectClose(stepOnce(opt, w, [0.5, 1]), [0.905, -2.19]);
    // Step 2: v = 1.9·g; step = g + 0.9·1.9·g = 2.71·g = [1.355, 2.71]; w = [0.905 − 0.1355, −2.19 − 0.271].
    expectClose(stepOnce(opt, w, [0.5, 1]), [0.7695, -2.461]);
  });

  it('with momentum 0 is plain gradient descent', () => {
    const opt = momentum({ lr: 0.1, momentum: 0 });
    const w = f64([1, -2]);
    stepOnce(opt, w, [0.5, 1]);
    expectClose(stepOnce(opt, w, [0.5, 1]), [0.9, -2.2]);
  });
});

describe('adam', () => {
  it('moves each weight by ≈ lr·sign(g) on its first step, whatever the size of g', () => {
    // After one step m̂ = g and v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g); g = 0 moves nothing.
    const opt = adam({ lr: 0.001 });
    const w = f64([1, -2, 3, 4]);
    const moved = stepOnce(opt, w, [0.5, -1000, 0, 1e-3]);
    expectClose(moved, [0.999, -1.999, 3, 3.999], 7);
    const eps = 1e-8;
    expectClose(moved, [1 - (0.001 * 0.5) / (0.5 + eps), -2 + (0.001 * 1000) / (1000 + eps), 3, 4 - (0.001 * 1e-3) / (1e-3 + eps)]);
  });

  it('applies bias correction on the second step (hand-derived)', () => {
    const opt = adam({ lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const w = f64([0]);
    stepOnce(opt, w, [1]);
    // Step 1: w = −0.1·1/(1 + 1e-8).
    // Step 2, g = 3: m = 0.9·0.1 + 0.1·3 = 0.39, m̂ = 0.39/(1 − 0.9²) = 0.39/0.19;
    // v = 0.999·0.001 + 0.001·9 = 0.009999, v̂ = 0.009999/(1 − 0.999²) = 0.009999/0.001999.
    const expected = -0.1 / (1 + 1e-8) - (0.1 * (0.39 / 0.19)) / (Math.sqrt(0.009999 / 0.001999) + 1e-8);
    expectClose(stepOnce(opt, w, [3]), [expected]);
    const { slots } = opt.state();
    expectClose((slots.m as number[][])[0] as number[], [0.39]);
    expectClose((slots.v as number[][])[0] as number[], [0.009999]);
  });

  it('keeps float32 parameters float32, with float32 moment buffers sized like the parameters', () => {
    const opt = adam({ lr: 0.01 });
    expect(opt.state().slots).toEqual({ m: [], v: [] });
    const params = [Tensor.from([[1, 2, 3], [4, 5, 6]]), Tensor.from([0.5])];
    opt.step(params, [Tensor.from([[0.1, -0.2, 0.3], [0.7, 0.11, -0.13]]), Tensor.from([0.3])]);
    expect(params[0]?.data).toBeInstanceOf(Float32Array);
    const m = opt.state().slots.m as number[][];
    expect(m.map((values) => values.length)).toEqual([6, 1]);
    // Every stored value is a float32 value (the buffer is a Float32Array, not a Float64Array).
    expect(m.flat().every((v) => Math.fround(v) === v)).toBe(true);
    // m after one step is (1 − β₁)·g = 0.1·g.
    expect((m[0] as number[])[1]).toBeCloseTo(-0.02, 7);
  });
});

describe('adamw', () => {
  it('decays the weight by lr·wd·w before the Adam step, independently of the gradient', () => {
    const opt = adamw({ lr: 0.1, weightDecay: 0.01 });
    const w = f64([2, 2]);
    // Decay: 2·(1 − 0.1·0.01) = 1.998. Adam: g = 0 moves nothing, g = 0.5 moves by ≈ lr = 0.1.
    expectClose(stepOnce(opt, w, [0, 0.5]), [1.998, 1.998 - (0.1 * 0.5) / (0.5 + 1e-8)]);
  });

  it('with weightDecay 0 follows adam bit for bit', () => {
    const a = adam({ lr: 0.05 });
    const b = adamw({ lr: 0.05, weightDecay: 0 });
    const wa = Tensor.from([1, -1, 0.5]);
    const wb = Tensor.from([1, -1, 0.5]);
    for (let t = 1; t <= 5; t++) {
      const g = [Math.sin(t), Math.cos(t), 0.1 * t];
      a.step([wa], [Tensor.from(g)]);
      b.step([wb], [Tensor.from(g)]);
    }
    expect(Array.from(wb.data)).toEqual(Array.from(wa.data));
  });
});

describe('clipGlobalNorm', () => {
  it('returns the global norm over all tensors and scales them in place to maxNorm when above', () => {
    const grads = [Tensor.from([[3, 0]]), Tensor.from([0, 4], { dtype: 'float64' })];
    expect(clipGlobalNorm(grads, 2.5)).toBeCloseTo(5, 6);
    // Scale 2.5/5 = 0.5 on every tensor.
    expectClose(grads[0]?.data ?? [], [1.5, 0], 6);
    expectClose(grads[1]?.data ?? [], [0, 2]);
  });

  it('leaves gradients at or below the limit untouched', () => {
    const grads = [Tensor.from([3]), Tensor.from([4])];
    expect(clipGlobalNorm(grads, 5)).toBe(5);
    expect(Array.from(grads[0]?.data ?? [])).toEqual([3]);
    expect(Array.from(grads[1]?.data ?? [])).toEqual([4]);
  });

  it('leaves non-finite gradients alone (scaling cannot repair them)', () => {
    const grads = [Tensor.from([Number.NaN, 1])];
    expect(clipGlobalNorm(grads, 1)).toBeNaN();
    expect(grads[0]?.data[1]).toBe(1);
  });

  it('rejects a maxNorm that is not positive', () => {
    expectInvalid(() => clipGlobalNorm([Tensor.from([1])], 0), 'clipGlobalNorm', 'maxNorm');
  });

  it('is applied by every optimizer given clipNorm', () => {
    const makers: [string, (clipNorm: number) => Optimizer][] = [
      ['sgd', (clipNorm) => sgd({ lr: 0.1, clipNorm })],
      ['momentum', (clipNorm) => momentum({ lr: 0.1, clipNorm })],
      ['adam', (clipNorm) => adam({ clipNorm })],
      ['adamw', (clipNorm) => adamw({ clipNorm })],
    ];
    for (const [name, make] of makers) {
      const g = f64([3, 4]);
      make(1).step([f64([0, 0])], [g]);
      expect(Array.from(g.data).map((v) => Math.round(v * 1e12) / 1e12), name).toEqual([0.6, 0.8]);
    }
  });
});

describe('invalid options', () => {
  it('names the optimizer and the option', () => {
    expectInvalid(() => sgd({ lr: 0 }), 'sgd', 'lr', 'got 0');
    expectInvalid(() => sgd({ lr: -1 }), 'sgd', 'lr');
    expectInvalid(() => sgd({ lr: Number.NaN }), 'sgd', 'lr');
    expectInvalid(() => sgd({ lr: Infinity }), 'sgd', 'lr');
    expectInvalid(() => sgd({ lr: 0.1, clipNorm: 0 }), 'sgd', 'clipNorm');
    expectInvalid(() => momentum({} as { lr: number }), 'momentum', 'lr', 'got nothing');
    expectInvalid(() => momentum({ lr: 0.1, momentum: 1 }), 'momentum', 'momentum', '[0, 1)');
    expectInvalid(() => momentum({ lr: 0.1, momentum: -0.1 }), 'momentum', 'momentum');
    expectInvalid(() => momentum({ lr: 0.1, momentum: 0, nesterov: true }), 'momentum', 'nesterov');
    expectInvalid(() => adam({ lr: 0 }), 'adam', 'lr');
    expectInvalid(() => adam({ beta1: 1 }), 'adam', 'beta1', '[0, 1)');
    expectInvalid(() => adam({ beta2: -0.5 }), 'adam', 'beta2');
    expectInvalid(() => adam({ epsilon: 0 }), 'adam', 'epsilon');
    expectInvalid(() => adamw({ beta1: 1.5 }), 'adamw', 'beta1');
    expectInvalid(() => adamw({ weightDecay: -0.01 }), 'adamw', 'weightDecay');
    expectInvalid(() => adam({ beta: 0.9 } as never), 'adam', 'unknown option "beta"');
  });
});

describe('shape checks', () => {
  it('rejects misaligned parameters and gradients', () => {
    const opt = adam();
    expect(() => opt.step([Tensor.from([1])], [])).toThrow(/adam\.step: got 1 parameters but 0 gradients/);
    expect(() => opt.step([Tensor.from([1, 2])], [Tensor.from([1])])).toThrow(/parameter 0 has 2 values, its gradient 1/);
  });
});

describe('buffers', () => {
  const makers: [string, () => Optimizer, number][] = [
    ['sgd', () => sgd({ lr: 0.1, clipNorm: 1 }), 0],
    ['momentum', () => momentum({ lr: 0.1, nesterov: true, clipNorm: 1 }), 1],
    ['adam', () => adam({ clipNorm: 1 }), 2],
    ['adamw', () => adamw({ clipNorm: 1 }), 2],
  ];
  for (const [name, make, slots] of makers) {
    it(`${name}: makes ${slots} buffer(s) per parameter on the first step and none after`, () => {
      const opt = make();
      const params = [Tensor.zeros([3, 4]), Tensor.zeros([4], 'float64')];
      const grads = [Tensor.from(Array<number>(12).fill(1), { shape: [3, 4] }), Tensor.from([1, 2, 3, 4], { dtype: 'float64' })];
      expect(countAllocations(() => opt.step(params, grads))).toBe(2 * slots);
      expect(countAllocations(() => {
        for (let i = 0; i < 1000; i++) opt.step(params, grads);
      })).toBe(0);
    });
  }
});

/** Two float32 parameters and ten steps of seeded gradients. */
function problem(seed: number, dtype: DType = 'float32'): { init: () => Tensor[]; grads: Tensor[][] } {
  const rng = Rng.fromSeed(seed);
  const values = (n: number): number[] => Array.from({ length: n }, () => rng.uniform(-1, 1));
  const w0 = values(12);
  const b0 = values(4);
  const grads = Array.from({ length: 10 }, () => [Tensor.from(values(12), { shape: [3, 4], dtype }), Tensor.from(values(4), { dtype })]);
  return { init: () => [Tensor.from(w0, { shape: [3, 4], dtype }), Tensor.from(b0, { dtype })], grads };
}

const bits = (ts: readonly Tensor[]): number[][] => ts.map((t) => Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4)));
const copy = (ts: readonly Tensor[]): Tensor[] => ts.map((t) => t.clone());

describe('state and setState', () => {
  const makers: [string, () => Optimizer][] = [
    ['sgd', () => sgd({ lr: 0.1 })],
    ['sgd with clipNorm', () => sgd({ lr: 0.1, clipNorm: 0.5 })],
    ['momentum', () => momentum({ lr: 0.05 })],
    ['momentum (nesterov)', () => momentum({ lr: 0.05, momentum: 0.8, nesterov: true })],
    ['adam', () => adam({ lr: 0.01 })],
    ['adamw with clipNorm', () => adamw({ lr: 0.01, weightDecay: 0.1, clipNorm: 1 })],
  ];

  for (const [label, make] of makers) {
    it(`${label}: resuming from a saved state continues bit for bit (float32)`, () => {
      const { init, grads } = problem(11);
      // Grads are clipped in place, so each optimizer gets its own copies.
      const g = (t: number): Tensor[] => copy(grads[t] as Tensor[]);
      const a = make();
      const pa = init();
      for (let t = 0; t < 5; t++) {
        if (t === 3) a.lr *= 0.5; // a schedule's change must travel with the state
        a.step(pa, g(t));
      }
      const saved = JSON.parse(JSON.stringify(a.state())) as OptimizerState;
      const pb = copy(pa);
      for (let t = 5; t < 10; t++) a.step(pa, g(t));

      const b = make();
      b.step(copy(pb), g(9)); // buffers from an unrelated step must be replaced by the saved ones
      b.setState(saved);
      expect(b.state()).toEqual(saved);
      for (let t = 5; t < 10; t++) b.step(pb, g(t));

      expect(b.lr).toBe(a.lr);
      expect(b.state().steps).toBe(10);
      expect(bits(pb)).toEqual(bits(pa));
      expect(b.state()).toEqual(a.state());
    });
  }

  it('the resume test can fail: dropping the moments changes the parameters', () => {
    const { init, grads } = problem(11);
    const a = adam({ lr: 0.01 });
    const pa = init();
    for (let t = 0; t < 5; t++) a.step(pa, copy(grads[t] as Tensor[]));
    const saved = a.state();
    const pb = copy(pa);
    for (let t = 5; t < 10; t++) a.step(pa, copy(grads[t] as Tensor[]));
    const b = adam({ lr: 0.01 });
    b.setState({ ...saved, slots: { m: [], v: [] } });
    for (let t = 5; t < 10; t++) b.step(pb, copy(grads[t] as Tensor[]));
    expect(bits(pb)).not.toEqual(bits(pa));
  });

  it('works for float64 parameters too', () => {
    const { init, grads } = problem(5, 'float64');
    const a = adamw({ lr: 0.01 });
    const pa = init();
    for (let t = 0; t < 5; t++) a.step(pa, grads[t] as Tensor[]);
    const saved = JSON.parse(JSON.stringify(a.state())) as OptimizerState;
    const pb = copy(pa);
    for (let t = 5; t < 10; t++) a.step(pa, grads[t] as Tensor[]);
    const b = adamw({ lr: 0.01 });
    b.setState(saved);
    for (let t = 5; t < 10; t++) b.step(pb, grads[t] as Tensor[]);
    expect(pb[0]?.dtype).toBe('float64');
    expect(pb.map((p) => Array.from(p.data))).toEqual(pa.map((p) => Array.from(p.data)));
  });

  it('restores the settings saved in the state', () => {
    const a = adam({ lr: 0.02, beta1: 0.8, clipNorm: 3 });
    const b = adam();
    b.setState(a.state());
    expect(b.config()).toEqual({ name: 'adam', lr: 0.02, beta1: 0.8, beta2: 0.999, epsilon: 1e-8, clipNorm: 3 });
    expect(b.lr).toBe(0.02);
  });

  it('accepts a saved lr of 0 (the end of a cosine schedule)', () => {
    const a = momentum({ lr: 0.1 });
    a.lr = 0;
    const b = momentum({ lr: 0.1 });
    b.setState(a.state());
    expect(b.lr).toBe(0);
  });

  it('rejects the state of another optimizer and malformed states', () => {
    expectInvalid(() => adam().setState(sgd().state()), 'adam.setState', '"adam"', '"sgd"');
    const good = adam().state();
    expectInvalid(() => adam().setState({ ...good, steps: -1 }), 'adam.setState', 'steps');
    expectInvalid(() => adam().setState({ ...good, config: { lr: 0.1, beta1: 2 } }), 'adam.setState', 'config.beta1');
    expectInvalid(() => adam().setState({ ...good, slots: { m: [] } }), 'adam.setState', 'slots must hold exactly [m, v]');
    expectInvalid(() => adam().setState({ ...good, slots: { m: [[1, 2]], v: [[1]] } }), 'slots.v[0] holds 1 values');
    expectInvalid(() => adam().setState({ ...good, slots: { m: [[1]], v: [['x']] } } as never), 'slots.v[0]');
  });

  it('reports a state saved for another model on the next step', () => {
    const a = adam();
    a.step([Tensor.from([1, 2])], [Tensor.from([1, 1])]);
    const b = adam();
    b.setState(a.state());
    let caught: unknown;
    try {
      b.step([Tensor.from([1, 2, 3])], [Tensor.from([1, 1, 1])]);
    } catch (e) {
      caught = e;
    }
    expect((caught as GradstreamError).code).toBe('CHECKPOINT_INVALID');
    expect((caught as GradstreamError).message).toMatch(/slots\.m\[0\] holds 2 values, parameter 0 has 3/);
  });
});

describe('training the sine task (1-16-1 sigmoid network, 64 points, batch 8, shuffle seed 1)', () => {
  /** Trains for `epochs`; returns the first epoch after which the whole-set MSE is below 0.01 (-1 if none) and the final MSE. */
  async function train(make: () => Optimizer, modelSeed: number, epochs: number, stopAtTarget = false): Promise<{ reached: number; before: number; after: number }> {
    const data = sine();
    const model = mlp(1, 16, 1, modelSeed);
    const before = evaluate(model, data).mse;
    let reached = -1;
    await lastValueFrom(
      epochs$(fit(model, data, { epochs, batchSize: 8, optimizer: make(), seed: 1 })).pipe(
        takeWhile((e) => {
          if (reached < 0 && evaluate(model, data).mse < 0.01) reached = e.epoch;
          return !(stopAtTarget && reached > 0);
        }),
      ),
      { defaultValue: undefined },
    );
    return { reached, before, after: evaluate(model, data).mse };
  }

  const settings: [string, () => Optimizer][] = [
    ['sgd lr 0.45', () => sgd({ lr: 0.45 })],
    ['sgd lr 0.45 clipNorm 1', () => sgd({ lr: 0.45, clipNorm: 1 })],
    ['momentum lr 0.05 (μ 0.9)', () => momentum({ lr: 0.05 })],
    ['nesterov lr 0.05 (μ 0.9)', () => momentum({ lr: 0.05, nesterov: true })],
    ['adam lr 0.05', () => adam({ lr: 0.05 })],
    ['adam lr 0.05 clipNorm 1', () => adam({ lr: 0.05, clipNorm: 1 })],
    ['adamw lr 0.05 (weightDecay 0.01)', () => adamw({ lr: 0.05 })],
  ];
  for (const [label, make] of settings) {
    it(`${label} takes the MSE from above 0.5 to below 0.01 within 400 epochs and ends there below 0.01`, async () => {
      // Minibatch noise makes the whole-set MSE spike now and then after it first drops below 0.01,
      // so the run is checked both when it first gets there and at its end.
      const { reached, before, after } = await train(make, 1, 400);
      expect(before).toBeGreaterThan(0.5);
      expect(reached).toBeGreaterThan(0);
      expect(after).toBeLessThan(0.01);
    });
  }

  it('adam (lr 0.1) reaches MSE < 0.01 in fewer epochs than sgd at its best lr (0.45)', async () => {
    // sgd's lr was tuned on this task by a sweep over 0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6, 0.75, 1, 1.5
    // with model seeds 1–5: 0.45 is the fastest lr that gets there on every seed (150–187 epochs);
    // 0.5–1 get there sooner on some seeds (0.75: 56 epochs on seed 1) but stall or diverge on
    // others, and 1.5 diverges on all. adam at lr 0.1 took 32–43 epochs on the same seeds.
    for (const modelSeed of [1, 2, 3]) {
      const sgdEpochs = (await train(() => sgd({ lr: 0.45 }), modelSeed, 1000, true)).reached;
      const adamEpochs = (await train(() => adam({ lr: 0.1 }), modelSeed, 1000, true)).reached;
      expect(sgdEpochs, `seed ${modelSeed}`).toBeGreaterThan(0);
      expect(adamEpochs, `seed ${modelSeed}`).toBeGreaterThan(0);
      expect(adamEpochs, `seed ${modelSeed}`).toBeLessThan(sgdEpochs);
    }
  });
});

describe('generated updates', () => {
  // sgd and momentum run one generated function over all parameters; it must do, in each dtype,
  // exactly the arithmetic their definitions state, element by element.
  const reference = {
    sgd: (w: number, g: number, v: number, lr: number) => [w + -lr * g, v],
    momentum: (w: number, g: number, v: number, lr: number) => {
      const vi = 0.9 * v + g;
      return [w - lr * vi, vi];
    },
    nesterov: (w: number, g: number, v: number, lr: number) => {
      const vi = 0.9 * v + g;
      return [w - lr * (g + 0.9 * vi), vi];
    },
  };
  const make = { sgd: (lr: number) => sgd({ lr }), momentum: (lr: number) => momentum({ lr }), nesterov: (lr: number) => momentum({ lr, nesterov: true }) };
  for (const dtype of ['float32', 'float64'] as const) {
    for (const name of ['sgd', 'momentum', 'nesterov'] as const) {
      it(`${name} (${dtype}) follows its definition bit for bit over parameters of odd sizes, lr changed mid-run`, () => {
        const rng = Rng.fromSeed(11);
        const sizes = [1, 7, 33];
        const params = sizes.map((n) => Tensor.from(Array.from({ length: n }, () => rng.uniform(-1, 1)), { dtype }));
        const grads = sizes.map((n) => Tensor.from(Array.from({ length: n }, () => 0), { dtype }));
        const want = params.map((p) => p.clone());
        const velocity = sizes.map((n) => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n)));
        const opt = make[name](0.3);
        for (let step = 0; step < 5; step++) {
          if (step === 3) opt.lr = 0.05;
          grads.forEach((g) => g.data.forEach((_, i) => (g.data[i] = rng.uniform(-2, 2))));
          opt.step(params, grads);
          want.forEach((w, p) => {
            for (let i = 0; i < w.size; i++) {
              const [nw, nv] = reference[name](w.data[i]!, grads[p]!.data[i]!, velocity[p]![i]!, opt.lr);
              w.data[i] = nw!;
              velocity[p]![i] = nv!;
            }
          });
        }
        params.forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(want[i]!.data)));
      });
    }
  }
});
