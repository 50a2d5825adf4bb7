import { ACTIVATIONS, DATASETS, OPTIMIZERS, parseHidden, type RunSettings, type RunState } from '../shared/protocol.js';

/** Fixed per page: the same seed gives the same data, weights and curves on every run. */
const SEED = 7;

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`the page has no element #${id}`);
  return e as T;
}

/** The form and buttons of the side bar, read and enabled according to the run's state. */
export class Controls {
  readonly dataset = byId<HTMLSelectElement>('dataset');
  readonly hidden = byId<HTMLInputElement>('hidden');
  readonly activation = byId<HTMLSelectElement>('activation');
  readonly optimizer = byId<HTMLSelectElement>('optimizer');
  readonly lr = byId<HTMLInputElement>('lr');
  readonly batchSize = byId<HTMLInputElement>('batch-size');
  readonly speed = byId<HTMLSelectElement>('speed');
  readonly start = byId<HTMLButtonElement>('start');
  readonly pause = byId<HTMLButtonElement>('pause');
  readonly resume = byId<HTMLButtonElement>('resume');
  readonly step = byId<HTMLButtonElement>('step');

  /** The settings in the form, or undefined (and the bad field marked) when one is not valid. */
  settings(): RunSettings | undefined {
    const hidden = parseHidden(this.hidden.value);
    const lr = this.learningRate();
    const batchSize = Number(this.batchSize.value);
    const batchOk = Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 400;
    this.hidden.setAttribute('aria-invalid', String(hidden === undefined));
    this.batchSize.setAttribute('aria-invalid', String(!batchOk));
    if (hidden === undefined || lr === undefined || !batchOk) return undefined;
    return {
      dataset: pick(DATASETS, this.dataset.value),
      hidden,
      activation: pick(ACTIVATIONS, this.activation.value),
      optimizer: pick(OPTIMIZERS, this.optimizer.value),
      lr,
      batchSize,
      seed: SEED,
    };
  }

  /** The learning-rate field, when it holds a positive number. */
  learningRate(): number | undefined {
    const lr = Number(this.lr.value);
    const ok = Number.isFinite(lr) && lr > 0 && lr <= 10;
    this.lr.setAttribute('aria-invalid', String(!ok));
    return ok ? lr : undefined;
  }

  /** Batches per second, or null for no limit. */
  stepsPerSecond(): number | null {
    const v = Number(this.speed.value);
    return this.speed.value !== '' && v > 0 ? v : null;
  }

  /** Which buttons make sense now. */
  show(state: RunState): void {
    this.start.textContent = state === 'ready' ? 'Start' : 'Reset';
    this.start.classList.toggle('primary', state === 'ready');
    this.pause.disabled = state !== 'running';
    this.resume.disabled = state !== 'paused';
    this.step.disabled = state !== 'paused' && state !== 'ready';
  }
}

function pick<T extends string>(options: readonly T[], value: string): T {
  return options.find((o) => o === value) ?? (options[0] as T);
}
