/**
 * The messages between the page and the training worker. Everything here crosses `postMessage`,
 * so it is plain data: numbers, strings, arrays and typed arrays (sent as transferables).
 */

/** The 2-D toy sets the dashboard can train on. */
export const DATASETS = ['circles', 'xorCloud', 'moons', 'spirals'] as const;
export type DatasetName = (typeof DATASETS)[number];

export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export const OPTIMIZERS = ['adam', 'momentum', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** What the person chose in the controls; a run is built from it. */
export interface RunSettings {
  readonly dataset: DatasetName;
  /** Units of each hidden layer, input side first. */
  readonly hidden: readonly number[];
  readonly activation: ActivationName;
  readonly optimizer: OptimizerName;
  readonly lr: number;
  readonly batchSize: number;
  /** Seeds the data, the initial weights and the shuffling. */
  readonly seed: number;
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
  | { readonly type: 'setLr'; readonly lr: number };

/** Where a run is. */
export type RunState = 'ready' | 'running' | 'paused' | 'ended';

/** One column of the drawn network: the input, a hidden layer or the output logits. */
export interface LayerColumn {
  /** A short caption, e.g. `x`, `linear_1 → tanh`, `logits`. */
  readonly label: string;
  readonly units: number;
}

/** The shape of the network, sent once per prepared run. */
export interface Topology {
  readonly columns: readonly LayerColumn[];
  /** The linear node feeding each column after the first (`linear_1`, …), in order. */
  readonly linear: readonly string[];
}

/** The points of the toy set, for drawing over the decision boundary. */
export interface PointCloud {
  /** x₀, y₀, x₁, y₁, … */
  readonly xy: Float32Array;
  /** 0 or 1 per point. */
  readonly labels: Uint8Array;
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
  /** Sampled steps with the L2 norm of the gradient signal ∂L/∂z at each linear node (`norms[i]` has one value per sampled step). */
  readonly normSteps: Float64Array;
  readonly norms: readonly Float64Array[];
  /** The latest finished epoch, if one finished. */
  readonly epoch?: EpochSummary;
  /** The latest gradients and weights for the network drawing, if sampled. */
  readonly network?: NetworkSnapshot;
  /** The latest decision boundary, if recomputed. */
  readonly boundary?: Boundary;
  /** The run's state when it changed. */
  readonly state?: RunState;
  /** Why it ended, with `state: 'ended'`. */
  readonly reason?: string;
}

export interface EpochSummary {
  readonly epoch: number;
  readonly step: number;
  readonly loss: number;
  readonly accuracy: number;
}

/** Per linear layer k: |∂L/∂W| and W as `[out, in]` row-major, and |∂L/∂b| per unit. */
export interface NetworkSnapshot {
  readonly step: number;
  readonly weightGrads: readonly Float32Array[];
  readonly weights: readonly Float32Array[];
  readonly biasGrads: readonly Float32Array[];
}

/** The model's probability of class 1 over a `resolution × resolution` grid, row 0 at the top. */
export interface Boundary {
  readonly step: number;
  readonly resolution: number;
  readonly values: Float32Array;
}

/** Worker → page. */
export type FromWorker =
  | {
      readonly type: 'prepared';
      readonly run: number;
      readonly settings: RunSettings;
      readonly topology: Topology;
      readonly points: PointCloud;
      readonly domain: Domain;
      readonly boundary: Boundary;
      /** The backend the worker trains on, in one line (`wasm: WebAssembly SIMD128, 2 threads`). */
      readonly backend: string;
    }
  | Update
  | { readonly type: 'error'; readonly run: number; readonly message: string };

/**
 * Reads the hidden-layer field ("8, 8" → [8, 8]); undefined when it is not 1 to 6 whole numbers
 * from 1 to 64, so the page can refuse it before anything reaches the worker.
 */
export function parseHidden(text: string): number[] | undefined {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '');
  if (parts.length < 1 || parts.length > 6) return undefined;
  const units = parts.map(Number);
  return units.every((u) => Number.isInteger(u) && u >= 1 && u <= 64) ? units : undefined;
}

/** The typed arrays inside a message, so `postMessage` can move them instead of copying. */
export function transferables(message: FromWorker): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (a: Float32Array | Float64Array | Uint8Array | undefined): void => {
    if (a !== undefined && a.buffer instanceof ArrayBuffer && !out.includes(a.buffer)) out.push(a.buffer);
  };
  if (message.type === 'prepared') {
    add(message.points.xy);
    add(message.points.labels);
    add(message.boundary.values);
  } else if (message.type === 'update') {
    add(message.steps);
    add(message.losses);
    add(message.normSteps);
    message.norms.forEach(add);
    add(message.boundary?.values);
    message.network?.weightGrads.forEach(add);
    message.network?.weights.forEach(add);
    message.network?.biasGrads.forEach(add);
  }
  return out;
}
