import type { NormKernels } from '@gradstream/tensor';
import type { WasmKernelContext } from './context.js';

/**
 * The {@link NormKernels} of the wasm backend: the SIMD128 exports of assembly/norm.ts where every
 * buffer is a float32 view of the runtime's memory, the TypeScript reference otherwise. Both give
 * the same numbers bit for bit (see assembly/norm.ts), so where a call runs never shows.
 */
export function normKernels(k: WasmKernelContext): NormKernels {
  const { on, owns, ptr, ts } = k;
  const ex = {
    columnMoments: k.exportOf('columnMoments'),
    movingAverage: k.exportOf('movingAverage'),
    batchNorm: k.exportOf('batchNorm'),
    batchNormBackward: k.exportOf('batchNormBackward'),
    layerNorm: k.exportOf('layerNorm'),
    layerNormBackward: k.exportOf('layerNormBackward'),
  };
  // `on` takes four buffers; the per-feature ones beyond them need only live in the memory.
  const alsoOwns = (...rest: readonly unknown[]): boolean => rest.every(owns);
  return {
    columnMoments: (x, mean, variance, rows, cols) =>
      on(x, mean, variance) ? void ex.columnMoments(ptr(x), ptr(mean), ptr(variance), rows, cols) : ts.columnMoments(x, mean, variance, rows, cols),
    movingAverage: (average, value, momentum) =>
      on(average, value) ? void ex.movingAverage(ptr(average), ptr(value), average.length, momentum) : ts.movingAverage(average, value, momentum),
    batchNorm: (x, mean, variance, gamma, beta, out, rows, cols, epsilon) =>
      on(x, mean, variance, out) && alsoOwns(gamma, beta)
        ? void ex.batchNorm(ptr(x), ptr(mean), ptr(variance), ptr(gamma), ptr(beta), ptr(out), rows, cols, epsilon)
        : ts.batchNorm(x, mean, variance, gamma, beta, out, rows, cols, epsilon),
    batchNormBackward: (x, mean, variance, gamma, dy, dx, dgamma, dbeta, rows, cols, epsilon) =>
      on(x, mean, variance, dy) && alsoOwns(gamma, dgamma, dbeta) && (dx === undefined || owns(dx))
        ? void ex.batchNormBackward(ptr(x), ptr(mean), ptr(variance), ptr(gamma), ptr(dy), dx === undefined ? 0 : ptr(dx), ptr(dgamma), ptr(dbeta), rows, cols, epsilon, dx === undefined ? 0 : 1)
        : ts.batchNormBackward(x, mean, variance, gamma, dy, dx, dgamma, dbeta, rows, cols, epsilon),
    layerNorm: (x, gamma, beta, out, mean, invStd, rows, cols, epsilon) =>
      on(x, gamma, beta, out) && alsoOwns(mean, invStd)
        ? void ex.layerNorm(ptr(x), ptr(gamma), ptr(beta), ptr(out), ptr(mean), ptr(invStd), rows, cols, epsilon)
        : ts.layerNorm(x, gamma, beta, out, mean, invStd, rows, cols, epsilon),
    layerNormBackward: (x, mean, invStd, gamma, dy, dx, dgamma, dbeta, rows, cols) =>
      on(x, mean, invStd, dy) && alsoOwns(gamma, dgamma, dbeta) && (dx === undefined || owns(dx))
        ? void ex.layerNormBackward(ptr(x), ptr(mean), ptr(invStd), ptr(gamma), ptr(dy), dx === undefined ? 0 : ptr(dx), ptr(dgamma), ptr(dbeta), rows, cols, dx === undefined ? 0 : 1)
        : ts.layerNormBackward(x, mean, invStd, gamma, dy, dx, dgamma, dbeta, rows, cols),
  };
}
