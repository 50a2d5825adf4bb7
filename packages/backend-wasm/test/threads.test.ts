import { beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { linear, mse, relu } from '@gradstream/ops';
import { Rng, type Backend } from '@gradstream/tensor';
import { sgd } from '@gradstream/trainer';
import { PARALLEL_MIN, wasmBackend, wasmThreadsReady } from '../src/index.js';
import { createThreadPool } from '../src/pool/index.js';
import { WasmRuntime } from '../src/runtime.js';

const bytes = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function product(backend: Backend, m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean): number[] {
  const rng = Rng.fromSeed(m + 3 * n + 7 * k);
  const fill = (len: number): Float32Array => {
    const a = backend.allocate('float32', len) as Float32Array;
    for (let i = 0; i < len; i++) a[i] = rng.uniform(-1, 1);
    return a;
  };
  const a = fill(m * k);
  const b = fill(k * n);
  const out = fill(m * n);
  backend.matmul(a, b, out, m, n, k, transA, transB, accumulate);
  const result = bytes(out);
  backend.free([a, b, out]);
  return result;
}

describe('the wasm backend on several threads', () => {
  const one = wasmBackend({ threads: 1 });
  const two = wasmBackend({ threads: 2 });
  const three = wasmBackend({ threads: 3 });

  beforeAll(async () => {
    // Until their workers have started, the backends run every part on this thread (the results would be the same, untested)
    await Promise.all([two, three].map(wasmThreadsReady));
  });

  it('says how many threads it runs on', () => {
    expect([one.threads, two.threads, three.threads]).toEqual([1, 2, 3]);
    expect(two.description).toBe('WebAssembly SIMD128, 2 threads');
  });

  for (const [m, n, k] of [[129, 257, 511], [511, 33, 257], [64, 128, 784], [128, 784, 64], [7, 1031, 129]] as const) {
    it(`gives bit-identical products for 1, 2 and 3 threads: ${m}×${n}×${k}, all transposes, accumulating or not`, () => {
      // every one of these is split across threads
      expect(m * n * k).toBeGreaterThanOrEqual(PARALLEL_MIN);
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const accumulate of [false, true]) {
            const single = product(one, m, n, k, transA, transB, accumulate);
            expect(product(two, m, n, k, transA, transB, accumulate)).toEqual(single);
            expect(product(three, m, n, k, transA, transB, accumulate)).toEqual(single);
          }
        }
      }
    });
  }

  it('trains an MLP to the same parameters, bit for bit, on 1 and 2 threads', () => {
    const train = (threads: 1 | 2): number[][] => {
      const model = sequential([linear({ inFeatures: 784, outFeatures: 128 }), relu(), linear({ inFeatures: 128, outFeatures: 10 })], {
        inputShape: [784],
        loss: mse(),
        seed: 7,
        backend: 'wasm',
        threads,
      });
      const plan = model.compile(64);
      const rng = Rng.fromSeed(1);
      const params = model.parameters().map((p) => p.value);
      const grads = model.parameters().map((p) => plan.paramGrads.get(p.id)!);
      const opt = sgd({ lr: 0.05 });
      for (let step = 0; step < 5; step++) {
        for (let i = 0; i < plan.x.size; i++) plan.x.data[i] = rng.next();
        for (let i = 0; i < plan.y.size; i++) plan.y.data[i] = rng.next() < 0.1 ? 1 : 0;
        plan.forward();
        plan.backward();
        opt.step(params, grads, model.backend);
      }
      return params.map((p) => bytes(p.data as Float32Array));
    };
    expect(train(2)).toEqual(train(1));
  });

  it('reports a kernel that traps on a worker as an error, and stays usable', () => {
    const rt = WasmRuntime.get();
    const pool = createThreadPool({
      module: rt.module,
      memory: rt.memory,
      exports: rt.exports as unknown as WebAssembly.Exports,
      kernels: ['matmul'],
      threads: 2,
      scratch: rt.scratch(2),
    });
    try {
      // pointers far beyond the memory: every part reads out of bounds
      pool.args.set([2 ** 31, 2 ** 31, 2 ** 31, 64, 64, 64, 0, 0, 0]);
      expect(() => pool.run(0, 9, 2)).toThrow(/out of bounds/);
      // and a good product afterwards still runs
      const a = rt.float32(64 * 64);
      a.fill(1);
      const out = rt.float32(64 * 64);
      pool.args.set([a.byteOffset, a.byteOffset, out.byteOffset, 64, 64, 64, 0, 0, 0]);
      pool.run(0, 9, 2);
      expect(out[0]).toBe(64);
      expect(out[64 * 64 - 1]).toBe(64);
    } finally {
      pool.close();
    }
  });
});
