import { FEATURES, type Feature } from './features.js';
import {
  BACKENDS,
  DATASETS,
  MODES,
  OPTIMIZERS,
  PROBLEMS,
  REGULARIZATIONS,
  type BackendName,
  type BackendOffers,
  type DatasetName,
  type Problem,
  type RunSettings,
} from './protocol.js';

/**
 * The page's settings as the form and the URL hold them: one string per field. Reading them
 * checks every field and says what is wrong with each, so the page can show the message beside
 * the field and refuse to start until it is fixed.
 */
export type Field = keyof RunSettings | 'speed';
export type RawSettings = Readonly<Record<Field, string>>;

/** Batches per second the run is held to; '' for as fast as the worker goes. */
export const SPEEDS = ['', '5000', '1000', '500', '100', '20', '2'] as const;

/** The inputs each data set starts with: the spirals need more than x and y to be learned in seconds. */
export const FEATURE_PRESETS: Readonly<Record<DatasetName, readonly Feature[]>> = {
  circles: ['x', 'y'],
  xorCloud: ['x', 'y'],
  moons: ['x', 'y'],
  spirals: ['x', 'y', 'xSquared', 'ySquared', 'xTimesY', 'sinX', 'sinY'],
  plane: ['x', 'y'],
  gaussians: ['x', 'y'],
};

/** What the page starts with. */
export const DEFAULTS: RawSettings = {
  mode: 'playground',
  problem: 'classification',
  dataset: 'circles',
  noise: '0.1',
  trainRatio: '0.5',
  features: FEATURE_PRESETS.circles.join(','),
  hidden: '8, 8',
  activation: 'tanh',
  optimizer: 'adam',
  lr: '0.03',
  regularization: 'none',
  regularizationRate: '0.001',
  batchSize: '16',
  seed: '7',
  speed: '1000',
  backend: 'wasm',
};

/** How each backend is named in its menu and in messages. */
export const BACKEND_LABELS: Readonly<Record<BackendName, string>> = { wasm: 'WebAssembly', webgpu: 'WebGPU' };

export const FIELDS = Object.keys(DEFAULTS) as Field[];

/** The settings read from the fields, or a message per field that is not valid. */
export type Checked =
  | { readonly ok: true; readonly settings: RunSettings; readonly stepsPerSecond: number | null }
  | { readonly ok: false; readonly errors: Readonly<Partial<Record<Field, string>>> };

/** Limits of the numeric fields, shown in their messages. */
const LIMITS = {
  noise: [0, 0.5],
  trainRatio: [0.1, 0.9],
  lr: [1e-5, 10],
  regularizationRate: [0, 1],
  batchSize: [1, 400],
  seed: [0, 2 ** 31 - 1],
} as const;

/**
 * A number written the way the page writes them: digits with an optional `.` decimal point and
 * exponent, whatever the browser's language (so `0,03` is refused with a message, not read as 0).
 */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : undefined;
}

function numberIn(text: string, [min, max]: readonly [number, number], integer = false): number | string {
  const v = parseNumber(text);
  if (v === undefined) return `Write a number, e.g. ${min === 0 ? max / 2 : min}${text.includes(',') ? ' (with a dot for decimals)' : ''}.`;
  if (integer && !Number.isInteger(v)) return 'Write a whole number.';
  if (v < min || v > max) return `Between ${min} and ${max}.`;
  return v;
}

/** "8, 8" → [8, 8]; "" → [] (no hidden layer); a message when it is not 0 to 6 whole numbers from 1 to 64. */
export function parseHidden(text: string): number[] | string {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '');
  if (parts.length > 6) return 'At most 6 hidden layers.';
  const units = parts.map((p) => parseNumber(p));
  const bad = parts.find((_p, i) => {
    const u = units[i];
    return u === undefined || !Number.isInteger(u) || u < 1 || u > 64;
  });
  if (bad !== undefined) return `"${bad}" is not a layer size: write whole numbers from 1 to 64, e.g. 8, 8.`;
  return units as number[];
}

function oneOf<T extends string>(options: readonly T[], value: string, what: string): T | string {
  return options.find((o) => o === value) ?? `Choose a ${what}.`;
}

/**
 * A backend the worker offers, or why it cannot be chosen. Until the worker has said which it has
 * (`backends` absent), only WebAssembly is taken: the worker always brings it.
 */
function checkBackend(value: string, backends: BackendOffers | undefined): BackendName | string {
  const name = BACKENDS.find((b) => b === value);
  if (name === undefined) return `Choose ${BACKENDS.map((b) => BACKEND_LABELS[b]).join(' or ')}.`;
  if (backends === undefined) return name === 'wasm' ? name : 'Waiting for the worker.';
  const offer = backends[name];
  if (!offer.available) return `${BACKEND_LABELS[name]} is not available here: ${offer.reason}. Choose ${BACKEND_LABELS.wasm}.`;
  return offer.ops === undefined ? `Waiting for the worker to try each op on ${BACKEND_LABELS[name]}.` : name;
}

/**
 * Checks every field. `hiddenOps` are the ops the worker offers after a hidden layer (the
 * registry's); an unknown name is refused with the list. `backends` are what the worker found of
 * each backend; a backend it does not have is refused with its reason, an op the chosen one does
 * not compute with a hint.
 */
export function checkSettings(raw: RawSettings, hiddenOps: readonly string[], backends?: BackendOffers): Checked {
  const errors: Partial<Record<Field, string>> = {};
  const take = <T>(field: Field, v: T | string, isValue: (v: T | string) => v is T): T | undefined => {
    if (isValue(v)) return v;
    errors[field] = v as string;
    return undefined;
  };
  const isNumber = (v: number | string): v is number => typeof v === 'number';
  const isArray = (v: number[] | string): v is number[] => Array.isArray(v);
  const isText = <T extends string>(options: readonly T[]) => (v: T | string): v is T => options.includes(v as T);

  const mode = take('mode', oneOf(MODES, raw.mode, 'mode'), isText(MODES));
  const problem = take('problem', oneOf(PROBLEMS, raw.problem, 'problem'), isText(PROBLEMS));
  const sets: readonly string[] = DATASETS[problem ?? 'classification'];
  const dataset = take('dataset', oneOf(sets, raw.dataset, `data set for ${problem ?? 'this problem'}`), isText(sets)) as DatasetName | undefined;
  const noise = take('noise', numberIn(raw.noise, LIMITS.noise), isNumber);
  const trainRatio = take('trainRatio', numberIn(raw.trainRatio, LIMITS.trainRatio), isNumber);
  const names = raw.features.split(',').map((f) => f.trim()).filter((f) => f !== '');
  const unknown = names.filter((f) => !FEATURES.includes(f as Feature));
  if (unknown.length > 0) errors.features = `Unknown feature ${unknown.join(', ')}.`;
  else if (names.length === 0) errors.features = 'Choose at least one input feature.';
  const hidden = take('hidden', parseHidden(raw.hidden), isArray);
  const activation = hiddenOps.includes(raw.activation) ? raw.activation : undefined;
  if (activation === undefined) errors.activation = hiddenOps.length === 0 ? 'Waiting for the worker.' : `Choose one of ${hiddenOps.join(', ')}.`;
  const optimizer = take('optimizer', oneOf(OPTIMIZERS, raw.optimizer, 'optimizer'), isText(OPTIMIZERS));
  const lr = take('lr', numberIn(raw.lr, LIMITS.lr), isNumber);
  const regularization = take('regularization', oneOf(REGULARIZATIONS, raw.regularization, 'regularization'), isText(REGULARIZATIONS));
  const regularizationRate = take('regularizationRate', numberIn(raw.regularizationRate, LIMITS.regularizationRate), isNumber);
  const batchSize = take('batchSize', numberIn(raw.batchSize, LIMITS.batchSize, true), isNumber);
  const seed = take('seed', numberIn(raw.seed, LIMITS.seed, true), isNumber);
  const speed = (SPEEDS as readonly string[]).includes(raw.speed) ? raw.speed : undefined;
  if (speed === undefined) errors.speed = 'Choose a speed.';
  const backend = take('backend', checkBackend(raw.backend, backends), isText(BACKENDS));
  const offer = backend === undefined ? undefined : backends?.[backend];
  if (activation !== undefined && offer?.available === true && offer.ops?.includes(activation) === false) {
    errors.activation = `${activation} does not run on ${BACKEND_LABELS[backend as BackendName]}: choose another op, or ${BACKEND_LABELS.wasm}.`;
  }
  if (trainRatio !== undefined && batchSize !== undefined && batchSize > Math.round(400 * trainRatio)) {
    errors.batchSize = `At most ${Math.round(400 * trainRatio)}: the training points of this split.`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      mode: mode as RunSettings['mode'],
      problem: problem as Problem,
      dataset: dataset as DatasetName,
      noise: noise as number,
      trainRatio: trainRatio as number,
      features: FEATURES.filter((f) => names.includes(f)),
      hidden: hidden as number[],
      activation: activation as string,
      optimizer: optimizer as RunSettings['optimizer'],
      lr: lr as number,
      regularization: regularization as RunSettings['regularization'],
      regularizationRate: regularizationRate as number,
      batchSize: batchSize as number,
      seed: seed as number,
      backend: backend as BackendName,
    },
    stepsPerSecond: speed === '' ? null : Number(speed),
  };
}

/** The settings as a URL query (`?dataset=spirals&hidden=8,8…`), leaving out fields at their default. */
export function toQuery(raw: RawSettings): string {
  const params = new URLSearchParams();
  const plain = (v: string): string => v.replace(/\s+/g, '');
  for (const field of FIELDS) if (plain(raw[field]) !== plain(DEFAULTS[field])) params.set(field, plain(raw[field]));
  const q = params.toString();
  return q === '' ? '' : `?${q}`;
}

/**
 * Settings from a URL query: the defaults, overridden by every known field it names (unknown
 * names are ignored; values are checked like typed ones, so a bad link shows its messages). A
 * query that names a data set but not the features gets that data set's preset.
 */
export function fromQuery(query: string): RawSettings {
  const params = new URLSearchParams(query);
  const out: Record<Field, string> = { ...DEFAULTS };
  for (const field of FIELDS) {
    const v = params.get(field);
    if (v !== null) out[field] = v;
  }
  // The query leaves out spaces; the form reads better with them.
  out.hidden = out.hidden.split(',').join(', ');
  if (params.has('dataset') && !params.has('features')) {
    const preset = FEATURE_PRESETS[out.dataset as DatasetName];
    if (preset !== undefined) out.features = preset.join(',');
  }
  return out;
}

/** The rates of `fit`'s regularization for the settings' kind and rate. */
export function regularizationRates(settings: Pick<RunSettings, 'regularization' | 'regularizationRate'>): { readonly l1: number; readonly l2: number } {
  const rate = settings.regularizationRate;
  return { l1: settings.regularization === 'l1' ? rate : 0, l2: settings.regularization === 'l2' ? rate : 0 };
}
