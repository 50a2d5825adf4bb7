import type { Walkthrough } from '@gradstream/trainer';
import { formatDims, formatNumber, formatValues } from '../format.js';

/**
 * A walkthrough laid out as the lesson lays out its step: the forward pass node by node, the
 * backward pass from L back to x (each node's incoming gradient signal, its local derivatives and
 * its parameter gradients), then each parameter's update. Vectors longer than 8 values (4 in the
 * updates) are cut, with their length.
 *
 * @example
 * ```ts
 * import { formatWalkthrough, walkthrough } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [1], layers: [{ op: 'linear', inFeatures: 1, outFeatures: 1 }], loss: { op: 'mse' } });
 * console.log(formatWalkthrough(await walkthrough(model, { x: [1], y: [1] })));
 * ```
 */
export function formatWalkthrough(w: Walkthrough): string {
  const lines: string[] = [];
  const lossNode = w.nodes[w.nodes.length - 1];
  const chain = w.nodes.map((n) => `${n.name} (${n.op})`).join(' → ');
  lines.push(`The network: x → ${chain} = L`);
  lines.push(`Sample: x = ${formatValues(w.x)}, y = ${formatValues(w.y)}`);

  lines.push('\nForward pass');
  const width = Math.max(...w.nodes.map((n) => `${n.op}(${n.inputs.join(', ')})`.length + n.name.length + 3));
  for (const n of w.nodes) {
    const how = `${n.name} = ${n.op}(${n.inputs.join(', ')})`;
    const note = n === lossNode ? '  ← the loss L' : '';
    lines.push(`  ${how.padEnd(width)}  ${formatValues(n.value.values)}${note}`);
  }

  lines.push('\nBackward pass (the gradient signal from L back to x)');
  const rows: [string, string][] = [];
  for (const n of [...w.nodes].reverse()) {
    rows.push([`${n.name} (${n.op})`, '']);
    rows.push([`  signal ∂L/∂${n.name}`, formatValues(n.signal.values)]);
    n.local.forEach((g, i) => {
      if (g === undefined) return;
      rows.push([`  local  ∂${n.name}/∂${n.inputs[i]} (${n.inputNames[i]})`, formatValues(g.values)]);
    });
    for (const p of w.params.filter((q) => q.id.startsWith(`${n.name}.`))) {
      rows.push([`  ∂L/∂${p.id}`, formatValues(p.gradient)]);
    }
  }
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) lines.push(value === '' ? `  ${label}` : `  ${label.padEnd(labelWidth)}  ${value}`);

  const { name, lr, ...rest } = w.optimizer;
  const settings = Object.entries(rest).map(([k, v]) => `, ${k} = ${String(v)}`).join('');
  lines.push(`\nUpdate (${String(name)}, α = ${String(lr)}${settings})`);
  const idWidth = Math.max(0, ...w.params.map((p) => p.id.length + formatDims(p.shape).length + 1));
  for (const p of w.params) {
    lines.push(`  ${`${p.id} ${formatDims(p.shape)}`.padEnd(idWidth)}  ${formatValues(p.before, 4)} → ${formatValues(p.after, 4)}`);
  }
  if (w.params.length === 0) lines.push('  (the model has no parameters)');
  lines.push(
    `\nL = ${formatNumber(w.loss)}. A local derivative is the node's own ∂output/∂input; for an op that is not elementwise` +
      '\nit is the vector–Jacobian product with ones (the sum over outputs). The signal a node passes back is its' +
      '\nincoming signal multiplied by its local derivative, summed where a value feeds several nodes.',
  );
  return lines.join('\n');
}
