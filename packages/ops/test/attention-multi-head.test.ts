import { describe, expect, it } from 'vitest';
import { buildModel, sequential, type Model } from '@gradstream/graph';
import { GradstreamError, Rng, Tensor, tsBackend, type Backend, type DType } from '@gradstream/tensor';
import { wasmBackend } from '@gradstream/backend-wasm';
import { multiHeadAttention, mse, positionEmbedding } from '../src/index.js';

const wasm = wasmBackend({ threads: 1 });

interface Case {
  readonly batch: number;
  readonly time: number;
  readonly dim: number;
  readonly heads: number;
  readonly keyDim: number;
  readonly causal: boolean;
  /** Whether the config gives keyDim (else dim / heads, inferred). */
  readonly explicit: boolean;
}

/** A random case: heads 1…3, keyDim given or inferred, causal or not; `batch` when given. */
function drawCase(rng: Rng, batch?: number): Case {
  const heads = 1 + rng.int(3);
  const explicit = rng.next() < 0.5;
  const keyDim = 1 + rng.int(4);
  return {
    batch: batch ?? 1 + rng.int(3),
    time: 1 + rng.int(7),
    dim: explicit ? 1 + rng.int(6) : heads * keyDim,
    heads,
    keyDim,
    causal: rng.next() < 0.5,
    explicit,
  };
}

/** The op alone, named `mha`, its parameters drawn uniform in [-1, 1] (biases too, so none hides). */
function attentionModel(c: Case, backend: Backend, dtype: DType, seed: number): Model {
  const model = buildModel(
    {
      version: 1,
      inputShape: [c.time, c.dim],
      dtype,
      layers: [{ op: 'multiHeadAttention', name: 'mha', heads: c.heads, causal: c.causal, ...(c.explicit ? { keyDim: c.keyDim } : {}) }],
      loss: { op: 'mse' },
    },
    { backend, seed },
  );
  const rng = Rng.fromSeed(seed + 1000);
  for (const p of model.parameters()) for (let i = 0; i < p.value.size; i++) p.value.data[i] = rng.uniform(-1, 1);
  return model;
}

const paramsOf = (model: Model): Record<string, Float64Array> =>
  Object.fromEntries(model.parameters().map((p) => [p.name, Float64Array.from(p.value.data)]));

/**
 * Multi-head self-attention written out with loops, in float64: per sample, head and query
 * position, the scores against every key position it may see, their softmax, and the weighted
 * sum of values; then the heads side by side through the output projection.
 */
function naiveAttention(x: Float64Array, c: Case, p: Record<string, Float64Array>): Float64Array {
  const { batch, time, dim, heads, keyDim } = c;
  const width = heads * keyDim;
  const project = (w: Float64Array, b: Float64Array, input: Float64Array, inW: number, outW: number): Float64Array => {
    const out = new Float64Array(batch * time * outW);
    for (let r = 0; r < batch * time; r++) {
      for (let o = 0; o < outW; o++) {
        let s = b[o]!;
        for (let d = 0; d < inW; d++) s += input[r * inW + d]! * w[o * inW + d]!;
        out[r * outW + o] = s;
      }
    }
    return out;
  };
  const q = project(p.queryWeight!, p.queryBias!, x, dim, width);
  const k = project(p.keyWeight!, p.keyBias!, x, dim, width);
  const v = project(p.valueWeight!, p.valueBias!, x, dim, width);
  const merged = new Float64Array(batch * time * width);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < time; i++) {
        const seen = c.causal ? i + 1 : time;
        const scores: number[] = [];
        for (let j = 0; j < seen; j++) {
          let s = 0;
          for (let e = 0; e < keyDim; e++) s += q[(b * time + i) * width + h * keyDim + e]! * k[(b * time + j) * width + h * keyDim + e]!;
          scores.push(s / Math.sqrt(keyDim));
        }
        const top = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - top));
        const total = exps.reduce((a, e) => a + e, 0);
        for (let e = 0; e < keyDim; e++) {
          let s = 0;
          for (let j = 0; j < seen; j++) s += (exps[j]! / total) * v[(b * time + j) * width + h * keyDim + e]!;
          merged[(b * time + i) * width + h * keyDim + e] = s;
        }
      }
    }
  }
  return project(p.outputWeight!, p.outputBias!, merged, width, dim);
}

function randomInput(c: Case, rng: Rng, dtype: DType): Tensor {
  const x = Tensor.zeros([c.batch, c.time, c.dim], dtype);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.uniform(-2, 2);
  return x;
}

/** The largest difference relative to the larger of 1 and the reference's largest magnitude. */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst / scale;
}

describe('multiHeadAttention forward', () => {
  const seeds = Array.from({ length: 24 }, (_, i) => i + 1);

  it.each(seeds)('equals the naive reference on random shapes (seed %i), float64 on ts and float32 on wasm', (seed) => {
    const rng = Rng.fromSeed(seed);
    // Every fourth case with batch 1.
    const c = drawCase(rng, seed % 4 === 0 ? 1 : undefined);
    const exact = attentionModel(c, tsBackend, 'float64', seed);
    const x = randomInput(c, rng, 'float64');
    const want = naiveAttention(x.data instanceof Float64Array ? x.data : Float64Array.from(x.data), c, paramsOf(exact));
    expect(relativeError(exact.predict(x).data, want), JSON.stringify(c)).toBeLessThan(1e-12);
    const fast = attentionModel(c, wasm, 'float32', seed);
    const x32 = Tensor.from(Array.from(x.data), { shape: x.shape, dtype: 'float32' });
    const want32 = naiveAttention(Float64Array.from(x32.data), c, paramsOf(fast));
    expect(relativeError(fast.predict(x32).data, want32), JSON.stringify(c)).toBeLessThan(2e-5);
  });

  it.each([false, true])('equals the naive reference at sizes where the wasm kernels run, not the small-call path (causal: %s)', (causal) => {
    const c: Case = { batch: 3, time: 21, dim: 24, heads: 3, keyDim: 8, causal, explicit: false };
    const rng = Rng.fromSeed(causal ? 2 : 1);
    const model = attentionModel(c, wasm, 'float32', 9);
    const x = randomInput(c, rng, 'float32');
    const want = naiveAttention(Float64Array.from(x.data), c, paramsOf(model));
    expect(relativeError(model.predict(x).data, want)).toBeLessThan(2e-5);
  });

  it('covers heads 1 to 3, causal and not, and batch 1 among those cases', () => {
    const cases = seeds.map((s) => drawCase(Rng.fromSeed(s), s % 4 === 0 ? 1 : undefined));
    expect(new Set(cases.map((c) => c.heads))).toEqual(new Set([1, 2, 3]));
    expect(new Set(cases.map((c) => c.causal))).toEqual(new Set([false, true]));
    expect(cases.some((c) => c.batch === 1)).toBe(true);
    expect(cases.some((c) => c.explicit) && cases.some((c) => !c.explicit)).toBe(true);
  });

  it('with causal, the output at position i does not change when positions after i change', () => {
    for (const [backend, dtype] of [[tsBackend, 'float64'], [wasm, 'float32']] as const) {
      for (let seed = 1; seed <= 6; seed++) {
        const rng = Rng.fromSeed(seed);
        const c: Case = { ...drawCase(rng), causal: true, time: 6 + rng.int(10) };
        const model = attentionModel(c, backend, dtype, seed);
        const x = randomInput(c, rng, dtype);
        const before = model.predict(x).data;
        const cut = rng.int(c.time);
        const changed = x.clone();
        for (let b = 0; b < c.batch; b++) for (let t = cut + 1; t < c.time; t++) for (let d = 0; d < c.dim; d++) changed.data[(b * c.time + t) * c.dim + d] = rng.uniform(-5, 5);
        const after = model.predict(changed).data;
        for (let b = 0; b < c.batch; b++) {
          const kept = (b * c.time + cut + 1) * c.dim;
          expect(Array.from(after.subarray(b * c.time * c.dim, kept)), `${backend.name} seed ${seed}`).toEqual(Array.from(before.subarray(b * c.time * c.dim, kept)));
        }
        // And without the mask, the earlier positions do see the change.
        const open = attentionModel({ ...c, causal: false }, backend, dtype, seed);
        expect(Array.from(open.predict(changed).data.subarray(0, c.dim))).not.toEqual(Array.from(open.predict(x).data.subarray(0, c.dim)));
      }
    }
  });
});

describe('multiHeadAttention gradients on the wasm backend', () => {
  it('match the float64 TypeScript ones (positions, then attention, so ∂x is taken too)', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const rng = Rng.fromSeed(seed);
      // The last one large enough for the wasm kernels rather than the small-call path.
      const c: Case = seed === 5 ? { batch: 2, time: 17, dim: 12, heads: 2, keyDim: 6, causal: true, explicit: true } : drawCase(rng);
      const layers = [positionEmbedding({ maxLength: c.time + 2, name: 'pos' }), multiHeadAttention({ heads: c.heads, causal: c.causal, keyDim: c.keyDim, name: 'mha' })];
      const models = ([[tsBackend, 'float64'], [wasm, 'float32']] as const).map(([backend, dtype]) =>
        sequential(layers, { inputShape: [c.time, c.dim], loss: mse(), dtype, backend, seed }),
      );
      const [ref, fast] = models as [Model, Model];
      const values = Rng.fromSeed(seed + 50);
      for (const p of ref.parameters()) for (let i = 0; i < p.value.size; i++) p.value.data[i] = values.uniform(-1, 1);
      fast.parameters().forEach((p, i) => p.value.data.set(ref.parameters()[i]!.value.data));
      const x = randomInput(c, rng, 'float64');
      const y = randomInput(c, rng, 'float64');
      const grads = models.map((m) => {
        const plan = m.plan(c.batch);
        plan.setBatch(Tensor.from(Array.from(x.data), { shape: x.shape, dtype: m.dtype }), Tensor.from(Array.from(y.data), { shape: y.shape, dtype: m.dtype }));
        plan.computeGradients();
        return new Map([...plan.paramGrads].map(([id, g]) => [id, Float64Array.from(g.data)]));
      });
      const [want, got] = grads as [Map<string, Float64Array>, Map<string, Float64Array>];
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [id, g] of want) expect(relativeError(got.get(id)!, g), `${id} ${JSON.stringify(c)}`).toBeLessThan(1e-4);
    }
  });
});

describe('multiHeadAttention configuration', () => {
  it('reads dim off the input and keyDim as dim / heads, and keeps them in the spec', () => {
    const model = sequential([multiHeadAttention({ heads: 3, name: 'mha' })], { inputShape: [5, 12], loss: mse() });
    expect(model.node('mha').config).toMatchObject({ heads: 3, dim: 12, keyDim: 4, causal: false });
    expect(model.parameters().map((p) => [p.name, p.value.shape])).toEqual([
      ['queryWeight', [12, 12]],
      ['queryBias', [12]],
      ['keyWeight', [12, 12]],
      ['keyBias', [12]],
      ['valueWeight', [12, 12]],
      ['valueBias', [12]],
      ['outputWeight', [12, 12]],
      ['outputBias', [12]],
    ]);
    const narrow = sequential([multiHeadAttention({ heads: 2, keyDim: 3 })], { inputShape: [4, 5], loss: mse() });
    expect(narrow.parameters().map((p) => p.value.shape)).toContainEqual([5, 6]);
    expect(narrow.parameters().map((p) => p.value.shape)).toContainEqual([6, 5]);
  });

  const shapeFailure = (f: () => unknown): GradstreamError => {
    try {
      f();
    } catch (e) {
      if (e instanceof GradstreamError) return e;
      throw e;
    }
    throw new Error('no error');
  };

  it('names the node and the shapes when dim is not a multiple of heads and keyDim is left out', () => {
    const e = shapeFailure(() => sequential([multiHeadAttention({ heads: 3 })], { inputShape: [4, 10], loss: mse() }));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toBe('node "multiHeadAttention_1" (multiHeadAttention), input x: expected [batch,T,dim] with dim a multiple of heads (3), or keyDim given, got [1,4,10]');
  });

  it('rejects an input that is not [batch, T, dim], and a dim that contradicts it', () => {
    const flat = shapeFailure(() => sequential([multiHeadAttention({ heads: 1 })], { inputShape: [4], loss: mse() }));
    expect(flat.code).toBe('SHAPE_MISMATCH');
    expect(flat.message).toBe('node "multiHeadAttention_1" (multiHeadAttention), input x: expected [batch,T,dim] (last axis = dim), got [1,4]');
    const wrong = shapeFailure(() => sequential([multiHeadAttention({ heads: 1, dim: 6 })], { inputShape: [4, 5], loss: mse() }));
    expect(wrong.message).toBe('node "multiHeadAttention_1" (multiHeadAttention), input x: expected [batch,T,6] (last axis = dim), got [1,4,5]');
  });
});
