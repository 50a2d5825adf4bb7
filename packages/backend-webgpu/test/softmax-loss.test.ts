import { Rng, tsBackend } from '@gradstream/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/gpu-context.js';
import { lossKernels } from '../src/kernels/loss.js';
import { softmaxKernels } from '../src/kernels/softmax.js';
import { blank, download, gpuContext, upload } from './support/gpu.js';

let ctx: GpuContext;
let sm: ReturnType<typeof softmaxKernels>;
let ls: ReturnType<typeof lossKernels>;
beforeAll(async () => {
  ({ ctx } = await gpuContext());
  sm = softmaxKernels(ctx);
  ls = lossKernels(ctx);
});

/** Uniform values in [lo, hi). */
function uniform(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
}

/** Extreme logits: e^100 overflows float32, so only a stable kernel survives them. */
const EXTREMES = [80, -80, 100, -100] as const;

/** Logits in [−4, 4), with every third row's entries pushed to ±80 and ±100. */
function logitsOf(rng: Rng, rows: number, cols: number): Float32Array {
  const z = uniform(rng, rows * cols, -4, 4);
  for (let r = 0; r < rows; r += 3) for (let c = 0; c < cols; c++) z[r * cols + c] = (EXTREMES[rng.int(4)] as number) + rng.uniform(0, 0.5);
  return z;
}

/** One-hot target rows. */
function oneHot(rng: Rng, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) t[r * cols + rng.int(cols)] = 1;
  return t;
}

/** Soft target rows: positive weights summing to `mass` (1 for a distribution). */
function soft(rng: Rng, rows: number, cols: number, mass = 1): Float32Array {
  const t = uniform(rng, rows * cols, 0.01, 1);
  for (let r = 0; r < rows; r++) {
    const row = t.subarray(r * cols, (r + 1) * cols);
    const sum = row.reduce((a, b) => a + b, 0);
    row.forEach((v, c) => (row[c] = (v / sum) * mass));
  }
  return t;
}

/**
 * Asserts `got ≈ want` elementwise: within `rel` of each value, plus `rel / 10` of the array's
 * largest magnitude (where a difference cancels to a value far below its terms).
 */
function expectClose(got: Float32Array, want: Float32Array, rel: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  let big = 0;
  for (const w of want) big = Math.max(big, Math.abs(w));
  for (let k = 0; k < want.length; k++) {
    const g = got[k] as number;
    const w = want[k] as number;
    if (!(Math.abs(g - w) <= rel * Math.abs(w) + (rel / 10) * big)) expect.fail(`${what}[${k}]: got ${g}, want ${w}`);
  }
}

// Rows of up to 32 columns take an invocation each, up to 1,024 a 64-invocation workgroup, beyond a 256.
const SHAPES: readonly (readonly [number, number])[] = [
  [1, 1],
  [3, 10],
  [37, 5],
  [300, 7],
  [2, 32],
  [3, 33],
  [5, 513],
  [1, 1024],
  [2, 1025],
  [3, 3001],
];

describe('softmax kernels on WebGPU', () => {
  for (const [rows, cols] of SHAPES) {
    it(`softmaxRows and its backward equal the TypeScript backend's at ${rows}×${cols}`, async () => {
      const rng = Rng.fromSeed(rows * 1000 + cols);
      const n = rows * cols;
      const x = logitsOf(rng, rows, cols);
      const dy = uniform(rng, n, -2, 2);
      const y = new Float32Array(n);
      tsBackend.softmaxRows(x, y, rows, cols);
      const gy = blank(ctx, n);
      sm.softmaxRows(upload(ctx, x), gy, rows, cols);
      expectClose(await download(ctx, gy), y, 1e-5, 'softmax');

      const inPlace = upload(ctx, x);
      sm.softmaxRows(inPlace, inPlace, rows, cols);
      expectClose(await download(ctx, inPlace), y, 1e-5, 'softmax in place');

      const dx = new Float32Array(n);
      tsBackend.softmaxRowsBackward(y, dy, dx, rows, cols);
      const gyExact = upload(ctx, y);
      const gdx = blank(ctx, n);
      sm.softmaxRowsBackward(gyExact, upload(ctx, dy), gdx, rows, cols);
      expectClose(await download(ctx, gdx), dx, 1e-4, 'softmax backward');

      const gdy = upload(ctx, dy);
      sm.softmaxRowsBackward(gyExact, gdy, gdy, rows, cols);
      expectClose(await download(ctx, gdy), dx, 1e-4, 'softmax backward into dy');
    });

    it(`softmaxCrossEntropy and its backward equal the TypeScript backend's at ${rows}×${cols}, one-hot and soft targets`, async () => {
      const rng = Rng.fromSeed(rows * 7919 + cols);
      const n = rows * cols;
      const logits = logitsOf(rng, rows, cols);
      const gLogits = upload(ctx, logits);
      const dLoss = -1.75;
      const gdLoss = upload(ctx, [dLoss]);
      const targets = { 'one-hot': oneHot(rng, rows, cols), soft: soft(rng, rows, cols), 'soft of mass 1.5': soft(rng, rows, cols, 1.5) };
      for (const [kind, target] of Object.entries(targets)) {
        const probs = new Float32Array(n);
        const loss = new Float32Array(1);
        tsBackend.softmaxCrossEntropy(logits, target, probs, loss, rows, cols);
        const gTarget = upload(ctx, target);
        const gProbs = blank(ctx, n);
        const gLoss = blank(ctx, 1);
        sm.softmaxCrossEntropy(gLogits, gTarget, gProbs, gLoss, rows, cols);
        const [gotProbs, gotLoss] = [await download(ctx, gProbs), await download(ctx, gLoss)];
        expectClose(gotProbs, probs, 1e-5, `${kind} probs`);
        expectClose(gotLoss, loss, 1e-4, `${kind} loss`);
        expect(Number.isFinite(gotLoss[0]), `${kind} loss is finite`).toBe(true);

        const dx = new Float32Array(n);
        tsBackend.softmaxCrossEntropyBackward(probs, target, Float32Array.of(dLoss), dx, rows, cols);
        const gdx = blank(ctx, n);
        sm.softmaxCrossEntropyBackward(upload(ctx, probs), gTarget, gdLoss, gdx, rows, cols);
        expectClose(await download(ctx, gdx), dx, 1e-4, `${kind} backward`);
      }
    });
  }

  it('softmaxCrossEntropy keeps one scratch array per row count (none allocated per call)', async () => {
    const rng = Rng.fromSeed(5);
    const [rows, cols] = [9, 4];
    const logits = upload(ctx, logitsOf(rng, rows, cols));
    const target = upload(ctx, oneHot(rng, rows, cols));
    const probs = blank(ctx, rows * cols);
    const loss = blank(ctx, 1);
    sm.softmaxCrossEntropy(logits, target, probs, loss, rows, cols);
    const count = ctx.arrays.count;
    sm.softmaxCrossEntropy(logits, target, probs, loss, rows, cols);
    sm.softmaxCrossEntropy(logits, target, probs, loss, rows, cols);
    await download(ctx, loss);
    expect(ctx.arrays.count).toBe(count);
  });

  it('softmaxCrossEntropy of no rows writes a loss of 0', async () => {
    const loss = blank(ctx, 1);
    sm.softmaxCrossEntropy(blank(ctx, 0), blank(ctx, 0), blank(ctx, 0), loss, 0, 3);
    expect(Array.from(await download(ctx, loss))).toEqual([0]);
  });

  // More rows than a row kernel's grid has workgroups (4,096), and rows taking an invocation each
  // over more than one workgroup of rows.
  for (const [rows, cols] of [[4096 + 37, 40], [70_001, 3]] as const) {
    it(`covers every row of ${rows}×${cols}`, async () => {
      const rng = Rng.fromSeed(rows);
      const logits = logitsOf(rng, rows, cols);
      const target = oneHot(rng, rows, cols);
      const probs = new Float32Array(rows * cols);
      const loss = new Float32Array(1);
      tsBackend.softmaxCrossEntropy(logits, target, probs, loss, rows, cols);
      const gProbs = blank(ctx, rows * cols);
      const gLoss = blank(ctx, 1);
      sm.softmaxCrossEntropy(upload(ctx, logits), upload(ctx, target), gProbs, gLoss, rows, cols);
      expectClose(await download(ctx, gProbs), probs, 1e-5, 'probs');
      expectClose(await download(ctx, gLoss), loss, 1e-4, 'loss');
    });
  }
});

/** pred and target with some elements equal (mae's subgradient 0) and differences on both sides of huber's delta. */
function regressionPair(rng: Rng, n: number): { pred: Float32Array; target: Float32Array } {
  const pred = uniform(rng, n, -3, 3);
  const target = uniform(rng, n, -3, 3);
  for (let k = 0; k < n; k += 4) target[k] = pred[k] as number;
  return { pred, target };
}

/** Sigmoid cross-entropy inputs: logits with ±80 and ±100 among them, targets hard (0/1) or soft. */
function binaryPair(rng: Rng, n: number, hard: boolean): { logits: Float32Array; target: Float32Array } {
  const logits = uniform(rng, n, -6, 6);
  for (let k = 0; k < n; k += 5) logits[k] = EXTREMES[(k / 5) % 4] as number;
  const target = Float32Array.from({ length: n }, () => (hard ? rng.int(2) : rng.next()));
  return { logits, target };
}

describe('loss kernels on WebGPU', () => {
  const dLoss = 2.5;
  for (const [rows, cols] of [...SHAPES, [1000, 7] as const]) {
    it(`mse, mae, huber and sigmoid cross-entropy with their backwards equal the TypeScript backend's at ${rows}×${cols}`, async () => {
      const rng = Rng.fromSeed(rows * 31 + cols);
      const n = rows * cols;
      const gdLoss = upload(ctx, [dLoss]);
      const dl = Float32Array.of(dLoss);
      const check = async (what: string, forward: (loss: Float32Array) => void, backward: (d: Float32Array) => void, gpuForward: (loss: Float32Array) => void, gpuBackward: (d: Float32Array) => void): Promise<void> => {
        const loss = new Float32Array(1);
        forward(loss);
        const gLoss = blank(ctx, 1);
        gpuForward(gLoss);
        expectClose(await download(ctx, gLoss), loss, 1e-4, `${what} loss`);
        const d = new Float32Array(n);
        backward(d);
        const gd = blank(ctx, n);
        gpuBackward(gd);
        expectClose(await download(ctx, gd), d, 1e-5, `${what} backward`);
      };

      const { pred, target } = regressionPair(rng, n);
      const [gp, gt] = [upload(ctx, pred), upload(ctx, target)];
      await check('mse', (l) => tsBackend.mse(pred, target, l, rows), (d) => tsBackend.mseBackward(pred, target, dl, d, rows), (l) => ls.mse(gp, gt, l, rows), (d) => ls.mseBackward(gp, gt, gdLoss, d, rows));
      await check('mae', (l) => tsBackend.mae(pred, target, l, rows), (d) => tsBackend.maeBackward(pred, target, dl, d, rows), (l) => ls.mae(gp, gt, l, rows), (d) => ls.maeBackward(gp, gt, gdLoss, d, rows));
      for (const delta of [1, 0.25]) {
        await check(
          `huber δ=${delta}`,
          (l) => tsBackend.huber(pred, target, l, rows, delta),
          (d) => tsBackend.huberBackward(pred, target, dl, d, rows, delta),
          (l) => ls.huber(gp, gt, l, rows, delta),
          (d) => ls.huberBackward(gp, gt, gdLoss, d, rows, delta),
        );
      }
      for (const hard of [true, false]) {
        const { logits, target: y } = binaryPair(rng, n, hard);
        const [gz, gy] = [upload(ctx, logits), upload(ctx, y)];
        await check(
          `sigmoid cross-entropy (${hard ? 'hard' : 'soft'} targets)`,
          (l) => tsBackend.sigmoidCrossEntropy(logits, y, l, rows),
          (d) => tsBackend.sigmoidCrossEntropyBackward(logits, y, dl, d, rows),
          (l) => ls.sigmoidCrossEntropy(gz, gy, l, rows),
          (d) => ls.sigmoidCrossEntropyBackward(gz, gy, gdLoss, d, rows),
        );
      }
    });
  }

  it('mae\'s gradient is exactly +0 where pred equals target, and ±dLoss/rows elsewhere', async () => {
    const pred = upload(ctx, [1, -2, 0.5, 3]);
    const target = upload(ctx, [0, 0, 0.5, 3]);
    const d = blank(ctx, 4);
    ls.maeBackward(pred, target, upload(ctx, [-3]), d, 2);
    const got = await download(ctx, d);
    expect(Array.from(got)).toEqual([-1.5, 1.5, 0, 0]);
    expect(Object.is(got[2], 0)).toBe(true);
  });

  it('divides by 1 when rows is 0', async () => {
    const pred = upload(ctx, [3, 1]);
    const target = upload(ctx, [1, 1]);
    const loss = blank(ctx, 1);
    ls.mse(pred, target, loss, 0);
    expect(Array.from(await download(ctx, loss))).toEqual([2]);
    const d = blank(ctx, 2);
    ls.mseBackward(pred, target, upload(ctx, [1]), d, 0);
    expect(Array.from(await download(ctx, d))).toEqual([2, 0]);
  });
});
