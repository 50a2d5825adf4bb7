import { INPUT, TARGET, type Model } from '@gradstream/graph';
import { formatDims } from '../format.js';

/** One box of a drawn model: a value (`x`, `y`) or a node, with the lines of its label. */
export interface GraphBox {
  readonly id: string;
  readonly kind: 'input' | 'target' | 'node' | 'loss';
  readonly lines: readonly string[];
}

/** One arrow: from the value read to the node reading it, labelled with the op's input name when it has several. */
export interface GraphArrow {
  readonly from: string;
  readonly to: string;
  readonly label: string | undefined;
}

/** The boxes and arrows of a model: its input and target, each node with its op and shapes, and every input edge (so `add`'s two). */
export function modelGraph(model: Model): { readonly boxes: readonly GraphBox[]; readonly arrows: readonly GraphArrow[] } {
  // A batch of one gives every value's shape; the batch axis is dropped from the labels.
  const plan = model.compile(1);
  const sampleShape = (value: string): string => formatDims((plan.values.get(value)?.shape ?? []).slice(1));
  const boxes: GraphBox[] = [
    { id: INPUT, kind: 'input', lines: [`${INPUT}: input`, sampleShape(INPUT)] },
    { id: TARGET, kind: 'target', lines: [`${TARGET}: target`, sampleShape(TARGET)] },
  ];
  const arrows: GraphArrow[] = [];
  for (const node of model.nodes) {
    const loss = node === model.lossNode;
    const params = [...Object.entries(node.params), ...Object.entries(node.state)].map(([name, t]) => `${name} ${formatDims(t.shape)}`);
    boxes.push({
      id: node.name,
      kind: loss ? 'loss' : 'node',
      lines: [
        `${node.name}: ${node.op.name}${loss ? ' (loss)' : ''}`,
        loss ? 'scalar' : `out ${sampleShape(node.name)}`,
        ...(params.length > 0 ? [params.join(', ')] : []),
      ],
    });
    node.inputs.forEach((value, slot) => {
      arrows.push({ from: value, to: node.name, label: node.op.inputs.length > 1 ? node.op.inputs[slot] : undefined });
    });
  }
  return { boxes, arrows };
}
