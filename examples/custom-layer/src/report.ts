import type { GradcheckReport } from '@gradstream/graph';
import { sameBits, type RoundTrip } from './round-trip.js';

const e2 = (v: number): string => v.toExponential(2);

/** The gradient check as a table: one row per input and parameter. */
export function formatGradcheck(report: GradcheckReport): string {
  const lines = [
    `gradcheck(${report.op}): ${report.ok ? 'ok' : 'FAILED'} — backward against central differences in float64, tolerance ${e2(report.tolerance)}`,
    '  kind    name   shape    max abs error   max rel error   worst element (analytic / numeric)',
  ];
  for (const e of report.entries) {
    lines.push(
      `  ${e.kind.padEnd(6)}  ${e.name.padEnd(5)}  ${`[${e.shape.join(',')}]`.padEnd(7)}  ${e2(e.maxAbsError).padStart(13)}   ${e2(e.maxRelError).padStart(13)}   ` +
        `#${e.worst.index}: ${e.worst.analytic.toPrecision(10)} / ${e.worst.numeric.toPrecision(10)}`,
    );
  }
  return lines.join('\n');
}

/** The save-and-reload figures: file size, predictions, continued training. */
export function formatRoundTrip(r: RoundTrip): string {
  const [a, b] = r.continued;
  const sameLosses = a.length === b.length && a.every((l, i) => Object.is(l, b[i]));
  const sameParams = r.params[0].every((p, i) => sameBits(p, r.params[1][i] as Float32Array));
  const yes = (ok: boolean): string => (ok ? 'yes' : 'NO');
  return [
    `Checkpoint: ${r.bytes} bytes of JSON (spec, parameters, Adam's moments), loaded back with the swish registry.`,
    `  predictions on the ${r.predictions[0].length} inputs identical bit for bit: ${yes(sameBits(...r.predictions))}`,
    `  ${a.length} more Adam steps on each, the original and the reloaded model:`,
    `    first loss  ${(a[0] ?? Number.NaN).toExponential(6)}  vs  ${(b[0] ?? Number.NaN).toExponential(6)}`,
    `    last loss   ${(a.at(-1) ?? Number.NaN).toExponential(6)}  vs  ${(b.at(-1) ?? Number.NaN).toExponential(6)}`,
    `    all ${a.length} losses identical bit for bit: ${yes(sameLosses)}; parameters after: ${yes(sameParams)}`,
  ].join('\n');
}
