import type { XorResult } from './xor.js';

/** The loss curve, then the truth table with the network's answers. */
export function formatXor(result: XorResult): string {
  const lines = ['XOR with a 2-8-1 network (sigmoid hidden layer), full-batch SGD', '', '  epoch   loss (½·mean (ŷ − y)²)'];
  for (const { epoch, loss } of result.losses) lines.push(`  ${String(epoch).padStart(5)}   ${loss.toExponential(3)}`);
  lines.push('', '  x₁  x₂   target   prediction   rounded');
  for (const r of result.rows) {
    lines.push(`  ${r.x.map((v) => String(v).padStart(2)).join('  ')}   ${String(r.target).padStart(6)}   ${r.prediction.toFixed(4).padStart(10)}   ${String(Math.round(r.prediction)).padStart(7)}`);
  }
  lines.push('', `MSE over the four rows: ${result.mse.toExponential(3)}`);
  return lines.join('\n');
}
