import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS,
  INLINE_MATMUL_MAX,
  activationBiasBackward,
  biasActivation,
  Rng,
  add,
  addRowBroadcast,
  kernelSource,
  leakyRelu,
  leakyReluBackward,
  matmul,
  relu,
  reluBackward,
  sigmoid,
  sigmoidBackward,
  sumRows,
  tanh,
  tanhBackward,
  type TypedArray,
} from '../src/index.js';

// Each source must compute what its kernel computes bit for bit, so a plan that inlines it gives
// the same numbers as one that calls the kernel. Buffers start stale (NaN) to catch unwritten ones.
const SIZES = [1, 7, 33, 129];

function run(source: string, buffers: Record<string, TypedArray>): void {
  const names = Object.keys(buffers);
  new Function(...names, source)(...names.map((n) => buffers[n]));
}

function bits(a: TypedArray): number[] {
  return Array.from(a, (v) => (Object.is(v, -0) ? -Infinity : v));
}

for (const dtype of ['float32', 'float64'] as const) {
  const make = (n: number): TypedArray => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
  const random = (n: number, rng: Rng, lo = -3, hi = 3): TypedArray => make(n).map(() => rng.uniform(lo, hi));
  // some exact zeros and negative zeros, where relu and the sigmoid's branches turn
  const withEdges = (t: TypedArray): TypedArray => {
    if (t.length > 2) {
      t[0] = 0;
      t[1] = -0;
    }
    return t;
  };

  describe(`kernel sources (${dtype}) against their kernels`, () => {
    const shapes: (readonly [number, number, number])[] = [
      [1, 1, 1],
      [2, 8, 4],
      [7, 1, 33],
      [1, 7, 7],
      [33, 7, 1],
      [7, 9, 33], // above INLINE_MATMUL_MAX, where the kernel tiles: still the same sums
    ];
    for (const [m, n, k] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          it(`matmul ${m}×${n}×${k}${transA ? ' Aᵀ' : ''}${transB ? ' Bᵀ' : ''}`, () => {
            const rng = Rng.fromSeed(m * 10_000 + n * 100 + k);
            const a = random(m * k, rng);
            const b = random(k * n, rng);
            const want = make(m * n);
            matmul(a, b, want, m, n, k, transA, transB);
            const got = make(m * n).fill(Number.NaN);
            run(kernelSource.matmul('a', 'b', 'out', m, n, k, transA, transB), { a, b, out: got });
            expect(bits(got)).toEqual(bits(want));
          });
        }
      }
    }

    for (const rows of SIZES) {
      for (const cols of [1, 7, 33]) {
        it(`addRowBroadcast and sumRows ${rows}×${cols}`, () => {
          const rng = Rng.fromSeed(rows * 100 + cols);
          const x = random(rows * cols, rng);
          const bias = random(cols, rng);
          const want = make(rows * cols);
          addRowBroadcast(x, bias, want, rows, cols);
          const got = make(rows * cols).fill(Number.NaN);
          run(kernelSource.addRowBroadcast('x', 'bias', 'out', rows, cols), { x, bias, out: got });
          expect(bits(got)).toEqual(bits(want));

          const sums = make(cols);
          sumRows(x, sums, rows, cols);
          const gotSums = make(cols).fill(Number.NaN);
          run(kernelSource.sumRows('x', 'out', rows, cols), { x, out: gotSums });
          expect(bits(gotSums)).toEqual(bits(sums));
        });

        it(`biasActivation and activationBiasBackward ${rows}×${cols}, every activation`, () => {
          const rng = Rng.fromSeed(rows * 1000 + cols);
          const z = withEdges(random(rows * cols, rng, -30, 30));
          const bias = random(cols, rng);
          const dy = random(rows * cols, rng);
          ACTIVATIONS.forEach((name, kind) => {
            const want = make(rows * cols);
            biasActivation(z, bias, want, rows, cols, kind);
            const got = make(rows * cols).fill(Number.NaN);
            run(kernelSource.biasActivation('z', 'bias', 'out', rows, cols, kind), { z, bias, out: got });
            expect(bits(got), name).toEqual(bits(want));

            const dz = make(rows * cols);
            const db = make(cols);
            activationBiasBackward(want, dy, dz, db, rows, cols, kind);
            const gotDz = make(rows * cols).fill(Number.NaN);
            const gotDb = make(cols).fill(Number.NaN);
            run(kernelSource.activationBiasBackward('a', 'dy', 'dz', 'db', rows, cols, kind), { a: want, dy, dz: gotDz, db: gotDb });
            expect(bits(gotDz), `${name} dz`).toEqual(bits(dz));
            expect(bits(gotDb), `${name} dbias`).toEqual(bits(db));
          });
        });
      }
    }

    for (const size of SIZES) {
      it(`elementwise kernels on ${size} values`, () => {
        const rng = Rng.fromSeed(size);
        const x = withEdges(random(size, rng, -40, 40));
        const y = random(size, rng, 0, 1);
        const dy = random(size, rng);
        const alpha = -0.3 + rng.uniform(0, 0.5);
        const cases: [string, (out: TypedArray) => void, string][] = [
          ['add', (o) => add(x, dy, o), kernelSource.add('x', 'dy', 'out', size)],
          ['copy', (o) => o.set(x), kernelSource.copy('x', 'out', size)],
          ['sigmoid', (o) => sigmoid(x, o), kernelSource.sigmoid('x', 'out', size)],
          ['sigmoidBackward', (o) => sigmoidBackward(y, dy, o), kernelSource.sigmoidBackward('y', 'dy', 'out', size)],
          ['tanh', (o) => tanh(x, o), kernelSource.tanh('x', 'out', size)],
          ['tanhBackward', (o) => tanhBackward(y, dy, o), kernelSource.tanhBackward('y', 'dy', 'out', size)],
          ['relu', (o) => relu(x, o), kernelSource.relu('x', 'out', size)],
          ['reluBackward', (o) => reluBackward(x, dy, o), kernelSource.reluBackward('x', 'dy', 'out', size)],
          ['leakyRelu', (o) => leakyRelu(x, alpha, o), kernelSource.leakyRelu('x', alpha, 'out', size)],
          ['leakyReluBackward', (o) => leakyReluBackward(x, alpha, dy, o), kernelSource.leakyReluBackward('x', alpha, 'dy', 'out', size)],
        ];
        for (const [name, kernel, source] of cases) {
          const want = make(size);
          kernel(want);
          const got = make(size).fill(Number.NaN);
          run(source, { x, y, dy, out: got });
          expect(bits(got), name).toEqual(bits(want));
        }
      });
    }
  });
}

describe('kernel source limits', () => {
  it('inlines only products small enough to skip tiling', () => {
    expect(INLINE_MATMUL_MAX).toBeGreaterThanOrEqual(1);
    expect(() => kernelSource.matmul('a', 'b', 'o', 1, 1, 257)).toThrow(/k ≤ 256/);
  });

  it('writes constants so they read back exactly, negative ones included', () => {
    const out = new Float64Array(1);
    run(kernelSource.leakyRelu('x', -0.1, 'out', 1), { x: new Float64Array([-3]), out });
    expect(out[0]).toBe(-0.1 * -3);
    expect(() => kernelSource.leakyRelu('x', Number.NaN, 'o', 1)).toThrow(/not a finite number/);
  });
});
