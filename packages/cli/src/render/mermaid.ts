import type { Model } from '@gradstream/graph';
import { modelGraph } from './model-graph.js';

/**
 * The model as a Mermaid flowchart (top to bottom): the input `x` and target `y` as rounded
 * boxes, each node labelled with its name, op, output shape (per sample) and parameter shapes,
 * the loss as a hexagon, and an arrow for every input a node reads (two for `add` and the loss,
 * labelled with the op's input names). Paste it into a `mermaid` code block.
 *
 * @example
 * ```ts
 * import { toMermaid } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } });
 * console.log(toMermaid(model)); // flowchart TD …
 * ```
 */
export function toMermaid(model: Model): string {
  const { boxes, arrows } = modelGraph(model);
  // Node names may be anything (even Mermaid keywords such as `end`): ids are generated, names go in labels.
  const ids = new Map(boxes.map((b, i) => [b.id, `n${i}`]));
  const text = (s: string): string => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
  const lines = ['flowchart TD'];
  for (const b of boxes) {
    const label = `"${b.lines.map(text).join('<br/>')}"`;
    const id = ids.get(b.id) as string;
    lines.push(b.kind === 'node' ? `  ${id}[${label}]` : b.kind === 'loss' ? `  ${id}{{${label}}}` : `  ${id}([${label}])`);
  }
  for (const a of arrows) {
    lines.push(`  ${ids.get(a.from) as string} -->${a.label === undefined ? '' : `|${text(a.label)}|`} ${ids.get(a.to) as string}`);
  }
  return lines.join('\n');
}
