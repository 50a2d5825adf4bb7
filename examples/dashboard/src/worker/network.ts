import { circles, gaussians, moons, plane, spirals, xorCloud, type Labeled, type ToyOptions } from '@gradstream/datasets';
import { defaultRegistry, sequential, type BackendChoice, type LayerSpec, type Model, type Registry } from '@gradstream/graph';
import { linear, mse, softmaxCrossEntropy } from '@gradstream/ops';
import { adam, momentum, sgd, type Optimizer } from '@gradstream/trainer';
import { Rng } from '@gradstream/tensor';
import { featureLabel, featureRows, orderedFeatures } from '../shared/features.js';
export { regularizationRates } from '../shared/settings.js';
import type { BackendName, DatasetName, OptimizerName, PointCloud, RunSettings, Topology } from '../shared/protocol.js';

/** Points per toy set, training and test together: enough to show the shape, few enough for many epochs a second. */
export const SAMPLES = 400;

const generators: Record<DatasetName, (o: ToyOptions) => Labeled> = { circles, xorCloud, moons, spirals, plane, gaussians };
const optimizers: Record<OptimizerName, (lr: number) => Optimizer> = {
  adam: (lr) => adam({ lr }),
  momentum: (lr) => momentum({ lr, momentum: 0.9 }),
  sgd: (lr) => sgd({ lr }),
};

/** A run's data: the training and test rows the network sees, and the points to draw. */
export interface ToyData {
  readonly train: { readonly x: number[][]; readonly y: number[][] };
  readonly test: { readonly x: number[][]; readonly y: number[][] };
  readonly points: PointCloud;
}

/**
 * The toy set of the settings, with their noise, split at random (seeded) into training and test
 * points; each point becomes a row of the chosen features, and a target: one-hot over the two
 * classes, or the value to regress.
 */
export function toyData(settings: RunSettings): ToyData {
  const { x, y } = generators[settings.dataset]({ samples: SAMPLES, noise: settings.noise, seed: settings.seed });
  const xy = Float32Array.from(x.flatMap((row) => [row[0] as number, row[1] as number]));
  const labels = Float32Array.from(y, (row) => row[0] as number);
  const rows = featureRows(xy, settings.features);
  const width = settings.features.length;
  const test = testMask(SAMPLES, settings.trainRatio, settings.seed);
  const train: ToyData['train'] = { x: [], y: [] };
  const held: ToyData['test'] = { x: [], y: [] };
  for (let i = 0; i < SAMPLES; i++) {
    const part = test[i] === 1 ? held : train;
    part.x.push(Array.from(rows.subarray(i * width, (i + 1) * width)));
    const label = labels[i] as number;
    part.y.push(settings.problem === 'classification' ? [1 - label, label] : [label]);
  }
  return { train, test: held, points: { xy, labels, test } };
}

/** 1 for each of `count` points drawn into the test set (the share `1 − trainRatio`, chosen by a seeded shuffle). */
export function testMask(count: number, trainRatio: number, seed: number): Uint8Array {
  const order = Array.from({ length: count }, (_, i) => i);
  const rng = Rng.fromSeed(seed + 1);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const mask = new Uint8Array(count);
  const trainCount = Math.round(count * trainRatio);
  for (let k = trainCount; k < count; k++) mask[order[k] as number] = 1;
  return mask;
}

/**
 * The library's choice for a backend of the menu. WebAssembly is asked for as `auto`, which takes
 * it wherever it can run and else the TypeScript backend, saying why: the page still trains, and
 * its backend line tells the truth.
 */
export function backendChoice(name: BackendName): BackendChoice {
  return name === 'webgpu' ? 'webgpu' : 'auto';
}

/**
 * Features → hidden layers (a linear layer and the chosen op each) → the output: two class logits
 * trained with softmax cross-entropy, or one value trained with the mean squared error, on the
 * chosen backend (WebGPU once `loadWebGpuBackend` has resolved).
 */
export function buildNetwork(settings: RunSettings): Model {
  const layers: LayerSpec[] = [];
  let width = settings.features.length;
  for (const units of settings.hidden) {
    layers.push(linear({ inFeatures: width, outFeatures: units }), { op: settings.activation });
    width = units;
  }
  const classes = settings.problem === 'classification';
  layers.push(linear({ inFeatures: width, outFeatures: classes ? 2 : 1 }));
  return sequential(layers, {
    inputShape: [settings.features.length],
    loss: classes ? softmaxCrossEntropy() : mse(),
    seed: settings.seed,
    backend: backendChoice(settings.backend),
  });
}

export function buildOptimizer(settings: RunSettings): Optimizer {
  return optimizers[settings.optimizer](settings.lr);
}

/**
 * The registry's ops that can follow a hidden linear layer: one input, built from no settings, and
 * an output shaped like the input (activations, dropout, normalization, custom plugins). Found by
 * building a small network with each, so a plugin registered before the worker starts is offered
 * without being named anywhere.
 */
export function hiddenOps(registry: Registry = defaultRegistry): string[] {
  return registry
    .names()
    .filter((name) => {
      try {
        const model = sequential([linear({ inFeatures: 2, outFeatures: 3 }), { op: name }, linear({ inFeatures: 3, outFeatures: 2 })], {
          inputShape: [2],
          loss: softmaxCrossEntropy(),
          registry,
        });
        const node = model.nodes[1];
        return node !== undefined && node.op.name === name && node.inputs.length === 1;
      } catch {
        return false;
      }
    })
    .sort();
}

/** The columns to draw: the input features, one per hidden layer (named after its linear node and op), the output. */
export function topologyOf(model: Model, settings: RunSettings): Topology {
  const features = orderedFeatures(settings.features);
  const columns: Topology['columns'][number][] = [{ label: 'features', units: features.length, unitLabels: features.map(featureLabel) }];
  const linearNodes = model.nodes.filter((n) => n.op.name === 'linear');
  const hidden: string[] = [];
  linearNodes.forEach((node, i) => {
    const units = node.config.outFeatures as number;
    if (i === linearNodes.length - 1) {
      columns.push({ label: 'output', units, unitLabels: [] });
      return;
    }
    const next = model.nodes[model.nodes.indexOf(node) + 1];
    hidden.push(next?.name ?? node.name);
    columns.push({ label: next ? `${node.name} → ${next.op.name}` : node.name, units, unitLabels: [] });
  });
  return { columns, linear: linearNodes.map((n) => n.name), hidden };
}
