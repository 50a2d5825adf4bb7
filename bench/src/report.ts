import type { BenchResult } from './bench.js';
import { RATIOS, RATIO_KEYS, TARGET_RATIO_KEYS } from './results.js';
import type { Measurement } from './stats.js';

/** A figure for a table: thousands separated from 100 on, three significant digits below. */
export const num = (v: number): string => {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
};

const loss = (v: number | undefined): string => (v === undefined ? '' : v.toPrecision(7));

/** Columns padded to their widest cell; `right` columns are right-aligned. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => `  ${cells.map((c, i) => (right.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ')}`.trimEnd();
  return [line(head), ...rows.map(line)];
}

function section(title: string, raw: Record<string, Measurement>, extra: Record<string, string>, extraTitle: string): string[] {
  const rows = Object.entries(raw).map(([name, m]) => [
    name,
    m.backend,
    m.path,
    num(m.median),
    `${num(Math.min(...m.reps))} … ${num(Math.max(...m.reps))}`,
    m.unit,
    extra[name] ?? '',
  ]);
  return [title, ...table(['row', 'backend', 'path', 'median', 'min … max', 'unit', extraTitle], rows, new Set([3, 4])), ''];
}

/** The run as text: one table per workload, then the ratios. */
export function formatReport(r: BenchResult): string {
  const { checks } = r;
  const mlpLoss: Record<string, string> = {};
  for (const [k, v] of Object.entries(checks.mlp.losses)) mlpLoss[k] = `${loss(checks.mlp.initialLoss[k])} → ${loss(v)}`;
  mlpLoss['brain.js-per-sample'] = '(per-sample updates, sigmoid output: not compared)';
  const matmulDiff: Record<string, string> = { [checks.matmul.reference]: '(reference)' };
  for (const [k, v] of Object.entries(checks.matmul.maxAbsDiff)) matmulDiff[k] = v.toExponential(1);
  const lessonLoss: Record<string, string> = {};
  for (const [k, v] of Object.entries(checks.lesson.losses)) lessonLoss[k] = loss(v) + (k.startsWith('brain.js') ? ' (sigmoid output)' : '');
  const d = checks['digits-fit'];
  const digits: Record<string, string> = {};
  for (const [k, s] of Object.entries(d.scores)) {
    digits[k] = `${s.epochLoss.toFixed(4)}  ${s.heldOutLoss.toFixed(4)}  ${(100 * s.heldOutAccuracy).toFixed(1)} %`;
  }
  const cnn = checks.cnn;
  const cnnCheck: Record<string, string> = { 'gradstream-predict': '(reference)' };
  for (const [k, v] of Object.entries(cnn.stepLosses)) cnnCheck[k] = v.map((l) => l.toPrecision(7)).join(', ');
  for (const [k, v] of Object.entries(cnn.logitDiff)) cnnCheck[k] = `max |Δ logit| ${v.toExponential(1)}`;
  const m = r.machine;
  const mlp = r.config.mlp;
  const cc = r.config.cnn;
  const df = r.config.digitsFit;
  const ratioRows = [...RATIO_KEYS.map((k) => {
    const def = RATIOS[k];
    const target = (TARGET_RATIO_KEYS as readonly string[]).includes(k) ? '*' : '';
    return [`${k}${target}`, r.ratios[k].toFixed(3), `${def.workload}: ${def.gradstream} ÷ ${def.peer}`];
  }), ['matmul_gflops', r.ratios.matmul_gflops.toFixed(3), 'matmul: gradstream-kernel GFLOP/s']];
  const lines = [
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}${r.config.quick ? '  [--quick]' : ''}`,
    `gradstream default: ${r.config.gradstream.default}`,
    `TF.js ${r.config.tfjs.version} (wasm: ${r.config.tfjs.wasmBinary}, ${r.config.tfjs.wasmThreads} thread), brain.js ${r.versions['brain.js']}`,
    '',
    ...section(`lesson: 1-1-1 network, SGD lr 0.1 (fit rows: epochs of ${r.config.lesson.fitSteps} steps)`, r.raw.lesson, lessonLoss, `loss after ${checks.lesson.steps} steps`),
    ...section(`mlp: 784-${mlp.hidden}-10 sigmoid, ½-MSE, SGD lr ${mlp.lr}, batch ${mlp.batchSize}, ${mlp.samples} digits`, r.raw.mlp, mlpLoss, `loss on batch 0, ${checks.mlp.lossSteps} steps`),
    ...section(`matmul: ${checks.matmul.size}³ float32`, r.raw.matmul, matmulDiff, `max |Δ| vs ${checks.matmul.reference}`),
    ...section(
      `digits-fit: 784-${df.hidden}-10 ReLU, softmax cross-entropy, Adam lr ${df.lr}, batch ${df.batchSize}, one epoch of ${df.samples} digits per rep`,
      r.raw['digits-fit'],
      digits,
      `after epoch 1: train loss, held-out loss, accuracy (${df.heldOut} digits)`,
    ).slice(0, -1),
    `  check: every held-out accuracy ≥ ${(100 * d.minAccuracy).toFixed(0)} % and epoch loss within ${(100 * d.lossTolerance).toFixed(0)} % of gradstream-fit's: ${d.sane ? 'pass' : 'FAIL'}`,
    '',
    ...section(
      `cnn: 28×28×1 → conv 5×5×8 ReLU → max-pool 2 → conv 5×5×16 ReLU → max-pool 2 → dense 10 ('${cc.padding}'), softmax cross-entropy, Adam lr ${cc.lr}, batch ${cc.batchSize}; ` +
        `fit rows: one call per rep (TF.js cpu on the first ${cc.tfjsFitBatches} batches only); predict rows: ${cc.heldOut} held-out digits`,
      r.raw.cnn,
      cnnCheck,
      `fit: loss of steps 1…${cc.checkSteps}; predict: logits vs gradstream-predict`,
    ).slice(0, -1),
    `  check: step losses within ${cnn.lossTolerance} relative of gradstream-fit's, logits within ${cnn.logitTolerance} of gradstream-predict's: ${cnn.sane ? 'pass' : 'FAIL'}`,
    '',
    'ratios: gradstream ÷ peer (> 1: gradstream faster; * the target ratios)',
    ...table(['ratio', 'value', 'basis'], ratioRows, new Set([1])),
  ];
  return lines.join('\n');
}
