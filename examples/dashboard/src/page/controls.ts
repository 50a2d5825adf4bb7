import { BACKENDS, DATASETS, type BackendOffers, type Mode, type Problem, type RunState } from '../shared/protocol.js';
import { BACKEND_LABELS, FEATURE_PRESETS, FIELDS, type Field, type RawSettings } from '../shared/settings.js';

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`the page has no element #${id}`);
  return e as T;
}

/** How each data set is named in its menu. */
const DATASET_LABELS: Readonly<Record<string, string>> = {
  circles: 'Circles',
  xorCloud: 'XOR cloud',
  moons: 'Moons',
  spirals: 'Spirals',
  plane: 'Plane',
  gaussians: 'Gaussian bumps',
};

type Input = HTMLInputElement | HTMLSelectElement;

/**
 * The form and buttons of the side bar: every setting as a string (the form's and the URL's
 * form), each field's message, and which buttons make sense in the run's state.
 */
export class Controls {
  readonly form = byId<HTMLFormElement>('settings');
  readonly start = byId<HTMLButtonElement>('start');
  readonly pause = byId<HTMLButtonElement>('pause');
  readonly resume = byId<HTMLButtonElement>('resume');
  readonly step = byId<HTMLButtonElement>('step');
  readonly exportCheckpoint = byId<HTMLButtonElement>('export-checkpoint');
  readonly exportOnnx = byId<HTMLButtonElement>('export-onnx');
  readonly showTest = byId<HTMLInputElement>('show-test');
  private readonly blocked = byId<HTMLElement>('blocked');
  private readonly fields = new Map<Field, Input>();
  private readonly features: HTMLInputElement[];

  constructor() {
    for (const field of FIELDS) {
      if (field === 'features') continue;
      this.fields.set(field, byId<Input>(field));
    }
    this.features = Array.from(this.form.querySelectorAll<HTMLInputElement>('[data-field="features"] input[type="checkbox"]'));
  }

  /** The element of a field (the features' group for `features`). */
  element(field: Field): HTMLElement {
    return field === 'features' ? (this.form.querySelector('[data-field="features"]') as HTMLElement) : (this.fields.get(field) as Input);
  }

  /** Every setting as the form holds it. */
  read(): RawSettings {
    const out = {} as Record<Field, string>;
    for (const [field, input] of this.fields) out[field] = input.value;
    out.features = this.features.filter((c) => c.checked).map((c) => c.value).join(',');
    return out;
  }

  /** Puts settings into the form (a value a menu lacks is kept as an extra option, so its message can say why). */
  write(raw: RawSettings): void {
    this.setDatasets(raw.problem as Problem);
    for (const [field, input] of this.fields) {
      const value = raw[field];
      if (input instanceof HTMLSelectElement && !Array.from(input.options).some((o) => o.value === value)) input.add(new Option(value, value));
      input.value = value;
    }
    const chosen = raw.features.split(',');
    for (const c of this.features) c.checked = chosen.includes(c.value);
    this.showValues();
  }

  /** The data sets of a problem in the data-set menu, keeping the choice when it is one of them. */
  setDatasets(problem: Problem): void {
    const menu = this.fields.get('dataset') as HTMLSelectElement;
    const sets: readonly string[] = DATASETS[problem] ?? DATASETS.classification;
    const keep = menu.value;
    menu.replaceChildren(...sets.map((s) => new Option(DATASET_LABELS[s] ?? s, s)));
    menu.value = sets.includes(keep) ? keep : (sets[0] as string);
  }

  /** A problem's first data set, with that set's features. */
  choseProblem(problem: Problem): void {
    this.setDatasets(problem);
    this.choseDataset();
  }

  /** The chosen data set's preset features (the spirals get more than x and y). */
  choseDataset(): void {
    const preset: readonly string[] = FEATURE_PRESETS[(this.fields.get('dataset') as HTMLSelectElement).value as keyof typeof FEATURE_PRESETS] ?? ['x', 'y'];
    for (const c of this.features) c.checked = preset.includes(c.value);
  }

  /** Sets the hidden-layer field from sizes (the network drawing's +/− buttons). */
  setHidden(units: readonly number[]): void {
    (this.fields.get('hidden') as HTMLInputElement).value = units.join(', ');
  }

  /** The ops the worker offers after a hidden layer, in the op menu. */
  setHiddenOps(ops: readonly string[], chosen: string): void {
    const menu = this.fields.get('activation') as HTMLSelectElement;
    const names = ops.includes(chosen) ? ops : [...ops, chosen];
    menu.replaceChildren(...names.map((o) => new Option(o, o)));
    menu.value = chosen;
  }

  /**
   * Marks the ops of the op menu that the chosen backend does not compute (disabled, saying why in
   * their title); `runs` undefined marks none.
   */
  markOps(runs: readonly string[] | undefined, backend: string): void {
    const menu = this.fields.get('activation') as HTMLSelectElement;
    for (const option of Array.from(menu.options)) {
      const off = runs !== undefined && !runs.includes(option.value);
      option.disabled = off;
      option.title = off ? `does not run on ${backend}` : '';
    }
  }

  /**
   * Offers the backends the worker has: one it lacks stays in the menu, disabled and saying so,
   * with the reason as its title; one it has gets its line (WebGPU: its adapter) as the title.
   */
  setBackends(offers: BackendOffers): void {
    const menu = this.fields.get('backend') as HTMLSelectElement;
    for (const name of BACKENDS) {
      const option = Array.from(menu.options).find((o) => o.value === name);
      if (option === undefined) continue;
      const offer = offers[name];
      option.disabled = !offer.available;
      option.text = offer.available ? BACKEND_LABELS[name] : `${BACKEND_LABELS[name]} (not available)`;
      option.title = offer.available ? offer.summary : offer.reason;
    }
  }

  /** Shows each field's message (and marks it invalid), clearing the others. */
  showErrors(errors: Readonly<Partial<Record<Field, string>>>): void {
    for (const field of FIELDS) {
      const message = errors[field];
      this.element(field).setAttribute('aria-invalid', String(message !== undefined));
      const slot = document.getElementById(`error-${field}`);
      if (slot !== null) slot.textContent = message ?? '';
    }
    const bad = FIELDS.filter((f) => errors[f] !== undefined);
    this.blocked.textContent = bad.length === 0 ? '' : `Fix ${bad.length === 1 ? 'the marked field' : `the ${bad.length} marked fields`} to start.`;
  }

  /** The sliders' values beside them. */
  showValues(): void {
    const noise = this.fields.get('noise') as HTMLInputElement;
    const ratio = this.fields.get('trainRatio') as HTMLInputElement;
    byId('noise-value').textContent = noise.value;
    byId('trainRatio-value').textContent = `${Math.round(Number(ratio.value) * 100)} % train`;
  }

  /** Which buttons make sense now: nothing starts while a field is invalid. */
  show(state: RunState, valid: boolean, mode: Mode): void {
    const lesson = mode === 'lesson';
    this.start.textContent = state === 'ready' && !lesson ? 'Start' : 'Reset';
    this.start.classList.toggle('primary', state === 'ready' && !lesson);
    this.start.disabled = !valid;
    this.pause.disabled = lesson || state !== 'running';
    this.resume.disabled = lesson || !valid || state !== 'paused';
    this.step.disabled = !valid || (lesson ? false : state !== 'paused' && state !== 'ready');
  }
}
