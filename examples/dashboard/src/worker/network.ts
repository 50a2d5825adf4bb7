import { circles, moons, spirals, xorCloud, type Labeled } from '@gradstream/datasets';
import { sequential, type LayerSpec, type Model } from '@gradstream/graph';
import { linear, relu, sigmoid, softmaxCrossEntropy, tanh } from '@gradstream/ops';
import { adam, momentum, sgd, type Optimizer } from '@gradstream/trainer';
import type { ActivationName, DatasetName, OptimizerName, PointCloud, RunSettings, Topology } from '../shared/protocol.js';

/** Points per toy set: enough to show the shape, few enough for many epochs a second. */
const SAMPLES = 400;

const generators: Record<DatasetName, (o: { samples: number; seed: number }) => Labeled> = { circles, xorCloud, moons, spirals };
const activations: Record<ActivationName, () => LayerSpec> = { tanh: () => tanh(), relu: () => relu(), sigmoid: () => sigmoid() };
const optimizers: Record<OptimizerName, (lr: number) => Optimizer> = {
  adam: (lr) => adam({ lr }),
  momentum: (lr) => momentum({ lr, momentum: 0.9 }),
  sgd: (lr) => sgd({ lr }),
};

/** The toy set as training arrays (targets one-hot over the two classes) and as points to draw. */
export function toyData(settings: RunSettings): { readonly x: Labeled['x']; readonly y: number[][]; readonly points: PointCloud } {
  const { x, y } = generators[settings.dataset]({ samples: SAMPLES, seed: settings.seed });
  const labels = Uint8Array.from(y, (row) => (row[0] === 1 ? 1 : 0));
  const xy = Float32Array.from(x.flatMap((row) => [row[0] as number, row[1] as number]));
  return { x, y: Array.from(labels, (l) => [1 - l, l]), points: { xy, labels } };
}

/** 2 inputs → hidden layers with the chosen activation → 2 class logits, trained with softmax cross-entropy. */
export function buildNetwork(settings: RunSettings): Model {
  const layers: LayerSpec[] = [];
  let width = 2;
  for (const units of settings.hidden) {
    layers.push(linear({ inFeatures: width, outFeatures: units }), activations[settings.activation]());
    width = units;
  }
  layers.push(linear({ inFeatures: width, outFeatures: 2 }));
  return sequential(layers, { inputShape: [2], loss: softmaxCrossEntropy(), seed: settings.seed });
}

export function buildOptimizer(settings: RunSettings): Optimizer {
  return optimizers[settings.optimizer](settings.lr);
}

/** The columns to draw: the input, one per hidden layer (named after its linear and activation nodes), the logits. */
export function topologyOf(model: Model): Topology {
  const columns: { label: string; units: number }[] = [{ label: 'x', units: model.inputShape[0] as number }];
  const linearNodes = model.nodes.filter((n) => n.op.name === 'linear');
  linearNodes.forEach((node, i) => {
    const units = node.config.outFeatures as number;
    if (i === linearNodes.length - 1) {
      columns.push({ label: 'logits', units });
      return;
    }
    const next = model.nodes[model.nodes.indexOf(node) + 1];
    columns.push({ label: next ? `${node.name} → ${next.op.name}` : node.name, units });
  });
  return { columns, linear: linearNodes.map((n) => n.name) };
}
