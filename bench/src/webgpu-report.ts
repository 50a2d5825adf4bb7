import type { AdapterSummary } from '@gradstream/backend-webgpu';
import { num, table } from './report.js';
import { msPer, type Measurement } from './stats.js';
import type { WebGpuBenchResult } from './webgpu-bench.js';
import { REFERENCE_ROWS, comparedRows, type Unavailable } from './workloads/webgpu-rows.js';

const ms = (v: number): string => `${num(v)} ms`;
const pass = (ok: boolean): string => (ok ? 'pass' : 'FAIL');

/**
 * The adapter line. A software adapter (SwiftShader) emulates a GPU on the CPU: its times say
 * nothing about a GPU, so the line says only the checks count.
 */
export function adapterLine(a: AdapterSummary): string {
  const name = [a.vendor, a.architecture].filter((s) => s !== '').join(' ') || a.description || 'unnamed adapter';
  return `adapter: ${name} ${a.fallback ? '(software: only equality is meaningful here)' : `(${a.description || a.device})`}`;
}

/**
 * A workload's table: each timed row's time per iteration (median, range) and rate, its check
 * column, then the reference row (checked against, not timed) and the rows that did not run.
 */
function section(title: string, raw: Record<string, Measurement>, unavailable: Unavailable, check: Record<string, string>, checkTitle: string): string[] {
  const rows = Object.entries(raw).map(([name, m]) => {
    const t = msPer(m);
    return [name, m.path, m.iteration, ms(t.median), `${num(t.min)} … ${num(t.max)}`, `${num(m.median)} ${m.unit}`, check[name] ?? ''];
  });
  for (const name of Object.values(REFERENCE_ROWS)) {
    if (check[name] !== undefined) rows.push([name, '(reference: CPU, not timed)', '', '', '', '', check[name]]);
  }
  for (const [name, why] of Object.entries(unavailable)) rows.push([name, `not run: ${why}`, '', '', '', '', check[name] ?? '']);
  return [title, ...table(['row', 'path', 'one iteration', 'time (median)', 'min … max', 'rate', checkTitle], rows, new Set([3, 4, 5])), ''];
}

/** The comparison: per workload, both rows' time for the same work (a multiply, a training step) and the ratio. */
function comparison(r: WebGpuBenchResult): string[] {
  const rows = Object.entries(r.raw).map(([workload, raw]) => {
    const pair = comparedRows(workload);
    const step = workload === 'mlp' ? r.config.mlp.batchSize : workload === 'cnn' ? r.config.cnn.batchSize : undefined;
    const time = (name: string): string => {
      const m = raw[name];
      return m === undefined ? 'not run' : ms(msPer(m, step ?? m.perIteration).median);
    };
    const ratio = r.ratios[`${workload}/tfjs-webgpu`];
    const per = step === undefined ? (raw[pair.gradstream]?.iteration ?? '') : `step of ${step} samples`;
    return [workload, per, time(pair.gradstream), time(pair.tfjs), ratio === null || ratio === undefined ? '—' : ratio.toFixed(3)];
  });
  return [
    'gradstream-webgpu vs tfjs-webgpu: time for the same work (median); ratio = tfjs time ÷ gradstream time (> 1: gradstream faster)',
    ...table(['workload', 'per', 'gradstream-webgpu', 'tfjs-webgpu', 'ratio'], rows, new Set([2, 3, 4])),
  ];
}

/** A `--backend webgpu` run as text: the adapter, one table per workload with its check, then the comparison. */
export function formatWebGpuReport(r: WebGpuBenchResult): string {
  const m = r.machine;
  const { checks } = r;
  const tf = r.config.tfjs;
  const lines = [
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}  [--backend webgpu${r.config.quick ? ' --quick' : ''}]`,
    adapterLine(r.adapter),
    `gradstream: ${r.config.gradstream} (${r.adapter.description}); TF.js ${tf.version} webgpu: ${tf.webgpu.ok ? tf.webgpu.adapter : `unavailable (${tf.webgpu.reason})`}`,
    '',
  ];
  for (const [workload, c] of Object.entries(checks.matmul)) {
    const diff: Record<string, string> = {};
    for (const [name, d] of Object.entries(c.maxAbsDiff)) diff[name] = d.toExponential(1);
    lines.push(
      ...section(`${workload}: ${c.size}³ float32; time = dispatch + read-back of the product`, r.raw[workload] ?? {}, r.unavailable[workload] ?? {}, diff, `max |Δ| vs ${c.reference}`).slice(0, -1),
      `  check: every product within ${c.tolerance.toExponential(1)} of ${c.reference}'s (float32 rounding): ${pass(Object.values(c.maxAbsDiff).every((d) => d <= c.tolerance))}`,
      '',
    );
  }
  const mlp = r.config.mlp;
  const mlpLoss: Record<string, string> = {};
  for (const [name, l] of Object.entries(checks.mlp.finalLoss)) mlpLoss[name] = l.toPrecision(7);
  lines.push(
    ...section(`mlp: 784-${mlp.hidden}-10 sigmoid, ½-MSE, SGD lr ${mlp.lr}, batch ${mlp.batchSize}, one training call per rep`, r.raw.mlp ?? {}, r.unavailable.mlp ?? {}, mlpLoss, `loss of one epoch of ${checks.mlp.lossSteps} batches`).slice(0, -1),
    `  check: every loss within ${checks.mlp.lossTolerance} (relative) of ${REFERENCE_ROWS.fit}'s (the CPU): ${pass(checks.mlp.sane)}`,
    '',
  );
  const cnn = r.config.cnn;
  const cnnLoss: Record<string, string> = {};
  for (const [name, l] of Object.entries(checks.cnn.stepLosses)) cnnLoss[name] = l.map((v) => v.toPrecision(7)).join(', ');
  lines.push(
    ...section(
      `cnn: conv 5×5×8 ReLU → max-pool 2 → conv 5×5×16 ReLU → max-pool 2 → dense 10 ('${cnn.padding}'), softmax cross-entropy, Adam lr ${cnn.lr}, batch ${cnn.batchSize}, one training call per rep`,
      r.raw.cnn ?? {},
      r.unavailable.cnn ?? {},
      cnnLoss,
      `loss of steps 1…${cnn.checkSteps}`,
    ).slice(0, -1),
    `  check: step losses within ${checks.cnn.lossTolerance} (relative) of ${REFERENCE_ROWS.fit}'s (the CPU): ${pass(checks.cnn.sane)}`,
    '',
    ...comparison(r),
  );
  return lines.join('\n');
}
