import type { RunResult, RunningLoss } from './online.js';

/** Header of the running-loss table. */
export const RUNNING_HEADER = '  samples   step   batch loss   running mean';

/** One row of the running-loss table. */
export function formatRunning(r: RunningLoss): string {
  return `  ${String(r.samples).padStart(7)}   ${String(r.step).padStart(4)}   ${r.loss.toFixed(5).padStart(10)}   ${r.mean.toFixed(5).padStart(12)}`;
}

/** True when two runs gave the same numbers, bit for bit (losses compared as doubles, parameters as float32). */
export function sameBits(a: RunResult, b: RunResult): { readonly losses: boolean; readonly params: boolean } {
  const losses = a.losses.length === b.losses.length && a.losses.every((l, i) => Object.is(l, b.losses[i]));
  const params =
    a.params.length === b.params.length &&
    a.params.every((p, i) => {
      const q = b.params[i] as Float32Array;
      return p.length === q.length && new Uint32Array(p.buffer).every((bits, j) => bits === new Uint32Array(q.buffer)[j]);
    });
  return { losses, params };
}

/** The learned line and the comparison of the online run with the batch run. */
export function formatComparison(online: RunResult, batch: RunResult, noise: number): string {
  const same = sameBits(online, batch);
  const last = (r: RunResult): string => (r.losses.at(-1) ?? Number.NaN).toFixed(6);
  return [
    `Learned line: ŷ = ${online.weight.toFixed(4)}·x + ${online.bias.toFixed(4)}   (the samples scatter around y = 2x + 1)`,
    `Noise floor of the loss: ½σ² = ${((noise * noise) / 2).toFixed(4)}`,
    '',
    'The same samples in the same order, held in arrays and trained in one pass:',
    `  last step's loss    online ${last(online)}   batch ${last(batch)}`,
    `  all ${online.losses.length} step losses identical bit for bit: ${same.losses ? 'yes' : 'NO'}`,
    `  learned parameters identical bit for bit: ${same.params ? 'yes' : 'NO'}`,
  ].join('\n');
}
