import { describe, expect, it } from 'vitest';
import { sequential, type LayerSpec, type Model } from '@gradstream/graph';
import { GradstreamError, Rng, Tensor, type DType } from '@gradstream/tensor';
import { countAllocations } from '../../../test/support/allocations.js';
import { dense, embedding, gru, lstm, mse, softmaxCrossEntropy } from '../src/index.js';

/*
 * gru and lstm against naive step-by-step references written here from PyTorch's equations
 * (torch.nn.GRU, torch.nn.LSTM: gates stacked r, z, n and i, f, g, o), h₀ = c₀ = 0, with every
 * parameter drawn at random (biases included) so no zero hides an error.
 */

type Kind = 'gru' | 'lstm';
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Σ_f W[row, f]·v[f] for a row-major matrix of `cols` columns. */
function dot(w: ArrayLike<number>, row: number, v: ArrayLike<number>, vo: number, cols: number): number {
  let s = 0;
  for (let f = 0; f < cols; f++) s += (w[row * cols + f] as number) * (v[vo + f] as number);
  return s;
}

/** PyTorch's GRU or LSTM over x `[B, T, F]`, step by step: every state `[B, T, U]`. */
function reference(kind: Kind, p: Readonly<Record<string, ArrayLike<number>>>, x: ArrayLike<number>, B: number, T: number, F: number, U: number): Float64Array {
  const out = new Float64Array(B * T * U);
  const W = p.weight!;
  const R = p.recurrentWeight!;
  const bias = p.bias!;
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(U);
    let c = new Float64Array(U);
    for (let t = 0; t < T; t++) {
      const xo = (b * T + t) * F;
      const wx = (g: number, k: number): number => dot(W, g * U + k, x, xo, F) + (bias[g * U + k] as number);
      const next = new Float64Array(U);
      if (kind === 'gru') {
        const rb = p.recurrentBias!;
        const wh = (g: number, k: number): number => dot(R, g * U + k, h, 0, U) + (rb[g * U + k] as number);
        for (let k = 0; k < U; k++) {
          const r = sigmoid(wx(0, k) + wh(0, k));
          const z = sigmoid(wx(1, k) + wh(1, k));
          const n = Math.tanh(wx(2, k) + r * wh(2, k));
          next[k] = (1 - z) * n + z * (h[k] as number);
        }
      } else {
        const fb = p.forgetBias!;
        const cNext = new Float64Array(U);
        const pre = (g: number, k: number): number => wx(g, k) + dot(R, g * U + k, h, 0, U) + (g === 1 ? (fb[k] as number) : 0);
        for (let k = 0; k < U; k++) {
          const i = sigmoid(pre(0, k));
          const f = sigmoid(pre(1, k));
          const g = Math.tanh(pre(2, k));
          const o = sigmoid(pre(3, k));
          cNext[k] = f * (c[k] as number) + i * g;
          next[k] = o * Math.tanh(cNext[k] as number);
        }
        c = cNext;
      }
      h = next;
      out.set(h, (b * T + t) * U);
    }
  }
  return out;
}

/** The last state of each sample, `[B, U]`, from every state. */
function lastStates(all: Float64Array, B: number, T: number, U: number): Float64Array {
  const out = new Float64Array(B * U);
  for (let b = 0; b < B; b++) out.set(all.subarray((b * T + T - 1) * U, (b * T + T) * U), b * U);
  return out;
}

interface Case {
  readonly kind: Kind;
  readonly B: number;
  readonly T: number;
  readonly F: number;
  readonly U: number;
  readonly returnSequences: boolean;
}

function caseOf(kind: Kind, seed: number, batchOne: boolean, returnSequences: boolean): Case {
  const rng = Rng.fromSeed(seed);
  return { kind, B: batchOne ? 1 : 1 + rng.int(4), T: 1 + rng.int(6), F: 1 + rng.int(5), U: 1 + rng.int(7), returnSequences };
}

const layerOf = (c: Case): LayerSpec => (c.kind === 'gru' ? gru({ units: c.U, returnSequences: c.returnSequences }) : lstm({ units: c.U, returnSequences: c.returnSequences }));

/** A one-layer model of the case with every parameter uniform in [-1, 1] (the same values whatever the dtype). */
function modelOf(c: Case, dtype: DType, backend: 'ts' | 'wasm', seed: number): Model {
  const model = sequential([layerOf(c)], { inputShape: [c.T, c.F], loss: mse(), dtype, backend, seed: 1 });
  const rng = Rng.fromSeed(seed + 100);
  for (const p of model.parameters()) for (let i = 0; i < p.value.size; i++) p.value.data[i] = Math.fround(rng.uniform(-1, 1));
  return model;
}

function inputOf(c: Case, seed: number, dtype: DType): Tensor {
  const rng = Rng.fromSeed(seed + 200);
  const x = Tensor.zeros([c.B, c.T, c.F], dtype);
  for (let i = 0; i < x.size; i++) x.data[i] = Math.fround(rng.uniform(-2, 2));
  return x;
}

function paramsOf(model: Model): Record<string, Float64Array> {
  return Object.fromEntries(model.parameters().map((p) => [p.name, Float64Array.from(p.value.data)]));
}

function worstError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
  return worst;
}

const CASES: readonly [string, Case, number][] = (['gru', 'lstm'] as const).flatMap((kind) =>
  [false, true].flatMap((returnSequences) =>
    [1, 2, 3, 4, 5, 1].map((seed, n): [string, Case, number] => {
      const c = caseOf(kind, seed, n === 5, returnSequences);
      return [`${kind}, returnSequences ${returnSequences}, [${c.B}, ${c.T}, ${c.F}] → ${c.U} units (seed ${seed})`, c, seed];
    }),
  ),
);

describe('gru and lstm forward equal PyTorch’s equations, step by step', () => {
  it.each(CASES)('%s: float64 on ts, and float32 on wasm', (_name, c, seed) => {
    const model = modelOf(c, 'float64', 'ts', seed);
    const x = inputOf(c, seed, 'float64');
    const all = reference(c.kind, paramsOf(model), x.data, c.B, c.T, c.F, c.U);
    const want = c.returnSequences ? all : lastStates(all, c.B, c.T, c.U);
    const first = model.predict(x);
    expect(first.shape).toEqual(c.returnSequences ? [c.B, c.T, c.U] : [c.B, c.U]);
    expect(worstError(first.data, want)).toBeLessThan(1e-12);
    // Later calls run the plan's generated pass, from the kernel calls the first recorded.
    expect([...model.predict(x).data]).toEqual([...first.data]);
    expect([...model.predict(x).data]).toEqual([...first.data]);

    const wasm = modelOf(c, 'float32', 'wasm', seed);
    const xf = inputOf(c, seed, 'float32');
    expect(worstError(wasm.predict(xf).data, want)).toBeLessThan(1e-5);
    expect(worstError(wasm.predict(xf).data, want)).toBeLessThan(1e-5);
  });
});

describe('gru and lstm backward through compiled plans', () => {
  it.each(CASES.filter((_, i) => i % 3 === 0))('%s: wasm float32 gradients equal ts float64 ones, step after step', (_name, c, seed) => {
    const grads = (dtype: DType, backend: 'ts' | 'wasm'): Float64Array[] => {
      const model = modelOf(c, dtype, backend, seed);
      const plan = model.compile(c.B);
      const y = Tensor.zeros(c.returnSequences ? [c.B, c.T, c.U] : [c.B, c.U], dtype);
      for (let i = 0; i < y.size; i++) y.data[i] = Math.fround(Math.sin(i));
      plan.setBatch(inputOf(c, seed, dtype), y);
      let out: Float64Array[] = [];
      // Twice: the first step records the kernel calls, the second runs them as generated code.
      for (let step = 0; step < 2; step++) {
        plan.forward();
        plan.backward();
        const now = [...plan.paramGrads.values(), plan.grads.get('x')].filter((t) => t !== undefined).map((t) => Float64Array.from(t.data));
        if (step === 1) for (const [i, g] of now.entries()) expect([...g]).toEqual([...out[i]!]);
        out = now;
      }
      expect(plan.recordedNodes).toContain(model.nodes[0]!.name);
      return out;
    };
    const want = grads('float64', 'ts');
    const got = grads('float32', 'wasm');
    expect(got.length).toBe(want.length);
    for (const [i, g] of got.entries()) {
      const scale = Math.max(1, ...want[i]!.map(Math.abs));
      expect(worstError(g, want[i]!) / scale).toBeLessThan(1e-4);
    }
  });

  it('a training step allocates nothing once compiled (ts and wasm, both layers, returnSequences both ways)', () => {
    for (const backend of ['ts', 'wasm'] as const) {
      for (const kind of ['gru', 'lstm'] as const) {
        for (const returnSequences of [false, true]) {
          const c: Case = { kind, B: 3, T: 5, F: 4, U: 6, returnSequences };
          const model = modelOf(c, 'float32', backend, 1);
          const plan = model.compile(c.B);
          plan.setBatch(inputOf(c, 1, 'float32'), Tensor.zeros(returnSequences ? [3, 5, 6] : [3, 6]));
          plan.computeGradients();
          plan.computeGradients();
          expect(countAllocations(() => plan.computeGradients()), `${backend} ${kind} ${returnSequences}`).toBe(0);
        }
      }
    }
  });
});

describe('configuration', () => {
  it('reads inputSize off the input, keeps it in the spec, and checks one given', () => {
    const model = sequential([gru({ units: 3 })], { inputShape: [5, 4], loss: mse(), backend: 'ts' });
    expect(model.layers[0]!.config.inputSize).toBe(4);
    expect(model.parameters().map((p) => [p.name, p.value.shape])).toEqual([
      ['weight', [9, 4]],
      ['recurrentWeight', [9, 3]],
      ['bias', [9]],
      ['recurrentBias', [9]],
    ]);
    const wrong = (): Model => sequential([lstm({ units: 3, inputSize: 2 })], { inputShape: [5, 4], loss: mse(), backend: 'ts' });
    expect(wrong).toThrow(GradstreamError);
    expect(wrong).toThrow(/lstm_1.*input x: expected \[batch,steps,2\] \(last axis = inputSize\), got \[1,5,4\]/);
    expect(() => sequential([gru({ units: 3 })], { inputShape: [4], loss: mse(), backend: 'ts' })).toThrow(/expected \[batch,steps,features\], got \[1,4\]/);
  });

  it('starts the lstm’s forget gate open: forgetBias is 1, the other biases 0', () => {
    const model = sequential([lstm({ units: 3 })], { inputShape: [2, 2], loss: mse(), backend: 'ts' });
    const p = Object.fromEntries(model.parameters().map((q) => [q.name, [...q.value.data]]));
    expect(p.forgetBias).toEqual([1, 1, 1]);
    expect(p.bias).toEqual(new Array(12).fill(0));
    expect(model.parameters().map((q) => q.name)).toEqual(['weight', 'recurrentWeight', 'bias', 'forgetBias']);
  });
});

describe('learning', () => {
  // Which token came first, among 4, read after 5 more: the state must carry it through the steps.
  it.each(['gru', 'lstm'] as const)('%s learns to recall the first token of a sequence', (kind) => {
    const T = 6;
    const V = 4;
    const N = 64;
    const rng = Rng.fromSeed(3);
    const x = Tensor.zeros([N, T]);
    const y = Tensor.zeros([N, V]);
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < T; t++) x.data[n * T + t] = rng.int(V);
      y.data[n * V + (x.data[n * T] as number)] = 1;
    }
    const recurrent = kind === 'gru' ? gru({ units: 16 }) : lstm({ units: 16 });
    const model = sequential([embedding({ vocabSize: V, dim: 8 }), recurrent, dense({ inFeatures: 16, outFeatures: V })], {
      inputShape: [T], loss: softmaxCrossEntropy(), seed: 2, backend: 'ts',
    });
    const plan = model.compile(N);
    plan.setBatch(x, y);
    const first = plan.forward();
    const m = new Map(model.parameters().map((p) => [p.id, new Float32Array(p.value.size)]));
    const v = new Map(model.parameters().map((p) => [p.id, new Float32Array(p.value.size)]));
    for (let step = 1; step <= 300; step++) {
      plan.computeGradients();
      for (const p of model.parameters()) model.backend.adamUpdate(p.value.data, plan.paramGrads.get(p.id)!.data, m.get(p.id)!, v.get(p.id)!, 0.01, 0.9, 0.999, 1e-8, 0, step);
    }
    const last = plan.forward(false);
    expect(last).toBeLessThan(first / 20);
    const probs = model.predict(x);
    let right = 0;
    for (let n = 0; n < N; n++) {
      const row = Array.from(probs.data.subarray(n * V, n * V + V));
      if (row.indexOf(Math.max(...row)) === x.data[n * T]) right++;
    }
    expect(right).toBe(N);
  });
});
