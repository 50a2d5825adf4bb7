/**
 * The messages between the page and the training worker. Everything here crosses `postMessage`,
 * so it is plain data: numbers, strings, arrays and typed arrays (sent as transferables).
 */
import type { Feature } from './features.js';
import type { LessonFrame } from './lesson-frame.js';

export type { Feature } from './features.js';
export { FEATURES } from './features.js';

/** What the network learns: two classes, or a real value over the plane. */
export const PROBLEMS = ['classification', 'regression'] as const;
export type Problem = (typeof PROBLEMS)[number];

/** The 2-D toy sets of each problem. */
export const DATASETS = {
  classification: ['circles', 'xorCloud', 'moons', 'spirals'],
  regression: ['plane', 'gaussians'],
} as const satisfies Record<Problem, readonly string[]>;
export type DatasetName = (typeof DATASETS)[Problem][number];

export const OPTIMIZERS = ['adam', 'momentum', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const REGULARIZATIONS = ['none', 'l1', 'l2'] as const;
export type RegularizationName = (typeof REGULARIZATIONS)[number];

/**
 * What the playground trains on: WebAssembly SIMD on the CPU's cores, or WebGPU compute shaders on
 * the GPU (offered where the browser gives the worker a WebGPU adapter).
 */
export const BACKENDS = ['wasm', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** What a WebGPU adapter says of itself (as `@gradstream/backend-webgpu` reports it). */
export interface AdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** A software adapter (SwiftShader): correct, not fast. */
  readonly fallback: boolean;
}

/**
 * What the worker found of one backend when it started: ready, with the line that names it and
 * the ops after a hidden layer it computes (of the worker's `hiddenOps`; absent while it is still
 * finding out), or why not.
 */
export type BackendOffer =
  | { readonly available: true; readonly summary: string; readonly adapter?: AdapterInfo; readonly ops?: readonly string[] }
  | { readonly available: false; readonly reason: string };
export type BackendOffers = Readonly<Record<BackendName, BackendOffer>>;

/** The page's two modes: the playground, or the lesson's 1-1-1 network shown number by number. */
export const MODES = ['playground', 'lesson'] as const;
export type Mode = (typeof MODES)[number];

/** What the person chose in the controls; a run is built from it. */
export interface RunSettings {
  readonly mode: Mode;
  readonly problem: Problem;
  readonly dataset: DatasetName;
  /** Standard deviation of the noise added to each point, 0 to 0.5. */
  readonly noise: number;
  /** Share of the points trained on, 0.1 to 0.9; the rest is the test set. */
  readonly trainRatio: number;
  /** The inputs the network sees, computed from each point's (x, y). */
  readonly features: readonly Feature[];
  /** Units of each hidden layer, input side first. */
  readonly hidden: readonly number[];
  /** The registry op after each hidden linear layer (`tanh`, `relu`, a custom plugin's name, …). */
  readonly activation: string;
  readonly optimizer: OptimizerName;
  readonly lr: number;
  readonly regularization: RegularizationName;
  readonly regularizationRate: number;
  readonly batchSize: number;
  /** Seeds the data, the split, the initial weights and the shuffling. */
  readonly seed: number;
  readonly backend: BackendName;
}

/** Page → worker. */
export type ToWorker =
  /** Build data and a fresh model for these settings and show them, without training. */
  | { readonly type: 'prepare'; readonly settings: RunSettings }
  /** Train the prepared model (starting paused when asked, e.g. to step from the first batch). */
  | { readonly type: 'start'; readonly paused: boolean }
  /** Batches per second while running; null for as fast as the worker goes. */
  | { readonly type: 'speed'; readonly stepsPerSecond: number | null }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'step' }
  | { readonly type: 'setLr'; readonly lr: number }
  /** The penalty's rates for the following steps (0 and 0 for none). */
  | { readonly type: 'setRegularization'; readonly l1: number; readonly l2: number }
  /** The model as it is now, as a checkpoint (JSON) or an ONNX file. */
  | { readonly type: 'export'; readonly format: ExportFormat }
  /** In lesson mode: train one step on the lesson's sample and send every figure of it. */
  | { readonly type: 'lessonStep' };

export type ExportFormat = 'checkpoint' | 'onnx';

/** Where a run is. */
export type RunState = 'ready' | 'running' | 'paused' | 'ended';

/** One column of the drawn network: the input features, a hidden layer or the output. */
export interface LayerColumn {
  /** A short caption, e.g. `x²`, `linear_1 → tanh`, `output`. */
  readonly label: string;
  readonly units: number;
  /** Per unit, a caption (the feature names of the input column; empty otherwise). */
  readonly unitLabels: readonly string[];
}

/** The shape of the network, sent once per prepared run. */
export interface Topology {
  readonly columns: readonly LayerColumn[];
  /** The linear node feeding each column after the first (`linear_1`, …), in order. */
  readonly linear: readonly string[];
  /** The node whose output each hidden column shows (the op after its linear node). */
  readonly hidden: readonly string[];
}

/** The points of the toy set, for drawing over the decision boundary. */
export interface PointCloud {
  /** x₀, y₀, x₁, y₁, … */
  readonly xy: Float32Array;
  /** The class (0 or 1) or the regression target of each point. */
  readonly labels: Float32Array;
  /** 1 for a test point, 0 for a training point. */
  readonly test: Uint8Array;
}

/** The square region of the plane the boundary is sampled on. */
export interface Domain {
  readonly min: number;
  readonly max: number;
}

/** Everything the worker learned since its last message, sent as one message. */
export interface Update {
  readonly type: 'update';
  /** Which prepared run this belongs to: messages of an older run are dropped by the page. */
  readonly run: number;
  /** One entry per trained batch, in order: the global step and the batch loss. */
  readonly steps: Float64Array;
  readonly losses: Float64Array;
  /** One entry per finished epoch: its last step and the loss on the test points then. */
  readonly testSteps: Float64Array;
  readonly testLosses: Float64Array;
  /** Sampled steps with the L2 norm of the gradient signal ∂L/∂z at each linear node (`norms[i]` has one value per sampled step). */
  readonly normSteps: Float64Array;
  readonly norms: readonly Float64Array[];
  /** The latest finished epoch, if one finished. */
  readonly epoch?: EpochSummary;
  /** The latest gradients and weights for the network drawing, if sampled. */
  readonly network?: NetworkSnapshot;
  /** The latest decision boundary (and neuron maps), if recomputed. */
  readonly boundary?: Boundary;
  /** The run's state when it changed. */
  readonly state?: RunState;
  /** Why it ended, with `state: 'ended'`. */
  readonly reason?: string;
}

export interface EpochSummary {
  readonly epoch: number;
  readonly step: number;
  /** Mean training loss of the epoch. */
  readonly loss: number;
  /** Training accuracy of the epoch (NaN in regression). */
  readonly accuracy: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
}

/** Per linear layer k: |∂L/∂W| and W as `[out, in]` row-major, and |∂L/∂b| per unit. */
export interface NetworkSnapshot {
  readonly step: number;
  readonly weightGrads: readonly Float32Array[];
  readonly weights: readonly Float32Array[];
  readonly biasGrads: readonly Float32Array[];
}

/**
 * The model over the plane: its output on a `resolution × resolution` grid, row 0 at the top
 * (P(class 1) in classification, the predicted value in regression), and what each unit of each
 * hidden layer outputs on a coarser grid.
 */
export interface Boundary {
  readonly step: number;
  readonly resolution: number;
  readonly values: Float32Array;
  /** Cells per side of each unit's map. */
  readonly unitResolution: number;
  /** One array per hidden column: unit after unit, `unitResolution²` values each. */
  readonly units: readonly Float32Array[];
}

/** The lesson mode's answer to `lessonStep`. */
export interface LessonMessage {
  readonly type: 'lesson';
  readonly run: number;
  readonly frame: LessonFrame;
  /** The backend the lesson computes on, in one line (its own: float64 needs the TypeScript one). */
  readonly backend: string;
}

/** Worker → page. */
export type FromWorker =
  /** Sent once when the worker starts: what it can offer the controls. */
  | {
      readonly type: 'hello';
      /** Registry ops that can follow a hidden linear layer, built-in and custom. */
      readonly hiddenOps: readonly string[];
      /** Each backend the controls can offer, found when the worker started. */
      readonly backends: BackendOffers;
    }
  /** The backends again, once the worker knows which ops each computes (it sent hello meanwhile). */
  | { readonly type: 'backends'; readonly backends: BackendOffers }
  | {
      readonly type: 'prepared';
      readonly run: number;
      readonly settings: RunSettings;
      /** The backend this run trains on, in one line (`wasm: WebAssembly SIMD128, 2 threads`, `WebGPU — google swiftshader (software)`). */
      readonly backend: string;
      readonly topology: Topology;
      readonly points: PointCloud;
      readonly domain: Domain;
      readonly boundary: Boundary;
      /** Each input feature over the grid, `unitResolution²` values per feature, feature after feature. */
      readonly featureMaps: Float32Array;
    }
  | Update
  | LessonMessage
  | { readonly type: 'exported'; readonly run: number; readonly format: ExportFormat; readonly filename: string; readonly bytes: Uint8Array }
  | { readonly type: 'error'; readonly run: number; readonly message: string };

/** The typed arrays inside a message, so `postMessage` can move them instead of copying. */
export function transferables(message: FromWorker): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (a: ArrayBufferView | undefined): void => {
    if (a !== undefined && a.buffer instanceof ArrayBuffer && !out.includes(a.buffer)) out.push(a.buffer);
  };
  const addBoundary = (b: Boundary | undefined): void => {
    add(b?.values);
    b?.units.forEach(add);
  };
  if (message.type === 'prepared') {
    add(message.points.xy);
    add(message.points.labels);
    add(message.points.test);
    add(message.featureMaps);
    addBoundary(message.boundary);
  } else if (message.type === 'update') {
    add(message.steps);
    add(message.losses);
    add(message.testSteps);
    add(message.testLosses);
    add(message.normSteps);
    message.norms.forEach(add);
    addBoundary(message.boundary);
    message.network?.weightGrads.forEach(add);
    message.network?.weights.forEach(add);
    message.network?.biasGrads.forEach(add);
  } else if (message.type === 'exported') {
    add(message.bytes);
  }
  return out;
}
