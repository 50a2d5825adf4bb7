import type { BenchResult } from './bench.js';
import { RATIO_KEYS } from './results.js';
import type { Measurement } from './stats.js';

const num = (v: number): string => {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
};

const loss = (v: number | undefined): string => (v === undefined ? '' : v.toPrecision(7));

function section(title: string, raw: Record<string, Measurement>, extra: Record<string, string>, extraTitle: string): string[] {
  const rows = Object.entries(raw).map(([name, m]) => [name, num(m.median), `${num(Math.min(...m.reps))} … ${num(Math.max(...m.reps))}`, m.unit, extra[name] ?? '']);
  const head = ['library', 'median', 'min … max', 'unit', extraTitle];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    `  ${cells.map((c, i) => (i === 0 || i >= 3 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')}`.trimEnd();
  return [title, line(head), ...rows.map(line), ''];
}

/** The run as text: one table per workload, then the ratios. */
export function formatReport(r: BenchResult): string {
  const { checks } = r;
  const mlpLoss: Record<string, string> = {};
  for (const [k, v] of Object.entries(checks.mlp.losses)) mlpLoss[k] = `${loss(checks.mlp.initialLoss[k])} → ${loss(v)}`;
  const matmulDiff: Record<string, string> = {};
  for (const [k, v] of Object.entries(checks.matmul.maxAbsDiff)) matmulDiff[k] = v.toExponential(1);
  const lessonLoss: Record<string, string> = {};
  for (const [k, v] of Object.entries(checks.lesson.losses)) lessonLoss[k] = loss(v) + (k === 'brain.js' ? ' (sigmoid output)' : '');
  const m = r.machine;
  const lines = [
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}${r.config.quick ? '  [--quick]' : ''}`,
    `TF.js ${r.config.tfjs.version} (wasm: ${r.config.tfjs.wasmBinary}, ${r.config.tfjs.wasmThreads} thread), brain.js ${r.versions['brain.js']}`,
    '',
    ...section('lesson: 1-1-1 network, SGD lr 0.1', r.raw.lesson, lessonLoss, `loss after ${checks.lesson.steps} steps`),
    ...section(`mlp: 784-${r.config.mlp.hidden}-10 sigmoid, ½-MSE, batch ${r.config.mlp.batchSize}`, r.raw.mlp, mlpLoss, `loss, ${checks.mlp.lossSteps} steps`),
    ...section(`matmul: ${checks.matmul.size}³ float32`, r.raw.matmul, matmulDiff, 'max |Δ| vs gradstream'),
    'ratios: gradstream ÷ peer (> 1: gradstream faster)',
    ...RATIO_KEYS.map((k) => `  ${k.padEnd(18)}${r.ratios[k].toFixed(3).padStart(9)}`),
    `  ${'matmul_gflops'.padEnd(18)}${r.ratios.matmul_gflops.toFixed(3).padStart(9)}`,
  ];
  return lines.join('\n');
}
