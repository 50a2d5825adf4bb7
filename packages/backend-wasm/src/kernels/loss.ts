import type { LossKernels } from '@gradstream/tensor';
import type { WasmKernelContext } from './context.js';

/** The {@link LossKernels} of the wasm backend: assembly/losses-more.ts where every buffer is the runtime's, else the reference. */
export function lossKernels(k: WasmKernelContext): LossKernels {
  const { on, ptr, ts } = k;
  const ex = {
    sigmoidCrossEntropy: k.exportOf('sigmoidCrossEntropy'),
    sigmoidCrossEntropyBackward: k.exportOf('sigmoidCrossEntropyBackward'),
    mae: k.exportOf('mae'),
    maeBackward: k.exportOf('maeBackward'),
    huber: k.exportOf('huber'),
    huberBackward: k.exportOf('huberBackward'),
  };
  return {
    sigmoidCrossEntropy: (logits, target, loss, rows) =>
      on(logits, target, loss) ? void ex.sigmoidCrossEntropy(ptr(logits), ptr(target), ptr(loss), logits.length, rows) : ts.sigmoidCrossEntropy(logits, target, loss, rows),
    sigmoidCrossEntropyBackward: (logits, target, dLoss, dLogits, rows) =>
      on(logits, target, dLoss, dLogits)
        ? void ex.sigmoidCrossEntropyBackward(ptr(logits), ptr(target), ptr(dLoss), ptr(dLogits), dLogits.length, rows)
        : ts.sigmoidCrossEntropyBackward(logits, target, dLoss, dLogits, rows),
    mae: (pred, target, loss, rows) => (on(pred, target, loss) ? void ex.mae(ptr(pred), ptr(target), ptr(loss), pred.length, rows) : ts.mae(pred, target, loss, rows)),
    maeBackward: (pred, target, dLoss, dPred, rows) =>
      on(pred, target, dLoss, dPred) ? void ex.maeBackward(ptr(pred), ptr(target), ptr(dLoss), ptr(dPred), dPred.length, rows) : ts.maeBackward(pred, target, dLoss, dPred, rows),
    huber: (pred, target, loss, rows, delta) =>
      on(pred, target, loss) ? void ex.huber(ptr(pred), ptr(target), ptr(loss), pred.length, rows, delta) : ts.huber(pred, target, loss, rows, delta),
    huberBackward: (pred, target, dLoss, dPred, rows, delta) =>
      on(pred, target, dLoss, dPred)
        ? void ex.huberBackward(ptr(pred), ptr(target), ptr(dLoss), ptr(dPred), dPred.length, rows, delta)
        : ts.huberBackward(pred, target, dLoss, dPred, rows, delta),
  };
}
