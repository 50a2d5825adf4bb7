import type { Model } from '@gradstream/graph';
import { modelGraph } from './model-graph.js';

/**
 * The model as a Graphviz DOT digraph: the input `x` and target `y` as ellipses, each node as a
 * box labelled with its name, op, output shape (per sample) and parameter shapes, and an edge for
 * every input a node reads — a node reading two values (`add`, the loss) gets two, labelled with
 * the op's input names. Render it with `dot -Tsvg`.
 *
 * @example
 * ```ts
 * import { toDot } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } });
 * console.log(toDot(model)); // digraph model { … "x" -> "linear_1"; … }
 * ```
 */
export function toDot(model: Model): string {
  const { boxes, arrows } = modelGraph(model);
  const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const shape = { input: 'ellipse', target: 'ellipse', node: 'box', loss: 'doubleoctagon' } as const;
  const lines = ['digraph model {', '  rankdir=TB;', '  node [fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=9];'];
  for (const b of boxes) {
    const label = b.lines.map((l) => q(l).slice(1, -1)).join('\\n');
    lines.push(`  ${q(b.id)} [shape=${shape[b.kind]}, label="${label}"];`);
  }
  for (const a of arrows) lines.push(`  ${q(a.from)} -> ${q(a.to)}${a.label === undefined ? '' : ` [label=${q(a.label)}]`};`);
  lines.push('}');
  return lines.join('\n');
}
