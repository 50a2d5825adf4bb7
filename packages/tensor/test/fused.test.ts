import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, Rng, activationBiasBackward, biasActivation } from '../src/index.js';

// Naive references, one elementwise step at a time, in float64.
const f = (kind: number, v: number): number => [v, 1 / (1 + Math.exp(-v)), Math.max(0, v), Math.tanh(v)][kind] as number;
const fPrimeFromOutput = (kind: number, a: number): number => [1, a * (1 - a), a > 0 ? 1 : 0, 1 - a * a][kind] as number;

const SIZES = [1, 7, 33, 129];

describe('fused bias + activation kernels against naive references', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const make = (n: number): Float32Array | Float64Array => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
    const tol = dtype === 'float32' ? 1e-6 : 1e-14;
    for (const rows of SIZES) {
      for (const cols of SIZES) {
        it(`${dtype} ${rows}×${cols}, every activation`, () => {
          const rng = Rng.fromSeed(rows * 1000 + cols);
          const z = make(rows * cols).map(() => rng.uniform(-3, 3));
          const bias = make(cols).map(() => rng.uniform(-1, 1));
          const dy = make(rows * cols).map(() => rng.uniform(-1, 1));
          ACTIVATIONS.forEach((_name, kind) => {
            const out = make(rows * cols);
            biasActivation(z, bias, out, rows, cols, kind);
            const dz = make(rows * cols);
            const db = make(cols).fill(123); // stale contents must be overwritten
            activationBiasBackward(out, dy, dz, db, rows, cols, kind);
            const dbRef = new Float64Array(cols);
            let outErr = 0;
            let dzErr = 0;
            for (let r = 0; r < rows; r++) {
              for (let c = 0; c < cols; c++) {
                const i = r * cols + c;
                outErr = Math.max(outErr, Math.abs(out[i]! - f(kind, z[i]! + bias[c]!)));
                const d = dy[i]! * fPrimeFromOutput(kind, out[i]!);
                dzErr = Math.max(dzErr, Math.abs(dz[i]! - d) / Math.max(1, Math.abs(d)));
                dbRef[c] = dbRef[c]! + d;
              }
            }
            let dbErr = 0;
            for (let c = 0; c < cols; c++) dbErr = Math.max(dbErr, Math.abs(db[c]! - dbRef[c]!) / (rows * Math.max(1, Math.abs(dbRef[c]!))));
            // float32 rounds z + b once more than the float64 reference does: a few ulps of ~3
            expect(outErr).toBeLessThanOrEqual(dtype === 'float32' ? 2e-6 : 1e-14);
            expect(dzErr).toBeLessThanOrEqual(tol);
            expect(dbErr).toBeLessThanOrEqual(tol);
          });
        });
      }
    }
  }

  it('may write the activation in place over z', () => {
    const z = new Float64Array([-2, 0.5, 3]);
    biasActivation(z, new Float64Array([1, 1, 1]), z, 1, 3, ACTIVATIONS.indexOf('relu'));
    expect(Array.from(z)).toEqual([0, 1.5, 4]);
  });
});
