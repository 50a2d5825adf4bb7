// First: the chart library reads the browser's language as it loads (see locale-guard.ts).
import './locale-guard.js';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { LESSON_PHASES, type LessonFrame } from '../shared/lesson-frame.js';
import { BACKENDS, type BackendName, type BackendOffers, type ExportFormat, type FromWorker, type Mode, type Problem, type RunSettings, type RunState, type ToWorker, type Update } from '../shared/protocol.js';
import { BACKEND_LABELS, checkSettings, fromQuery, regularizationRates, toQuery, type Checked, type Field, type RawSettings } from '../shared/settings.js';
import { BoundaryView } from './boundary-view.js';
import { Controls } from './controls.js';
import { formatPercent, formatValue } from './format.js';
import { LessonView } from './lesson-view.js';
import { LossChart } from './loss-chart.js';
import { NetworkView } from './network-view.js';
import { NormsChart } from './norms-chart.js';

/* The page only draws: the worker trains and sends what happened in batches; the page folds
   each message into its views and repaints at most once per animation frame. The settings live
   in the form and in the URL's query, so a link reproduces a run. */

const $ = <T extends Element>(selector: string): T => {
  const e = document.querySelector<T>(selector);
  if (e === null) throw new Error(`the page has no element ${selector}`);
  return e;
};

/** Settings that apply to the running run; any other change builds a new one. */
const LIVE: readonly Field[] = ['lr', 'regularization', 'regularizationRate', 'speed'];

const controls = new Controls();
const lossChart = new LossChart($('#loss-chart'));
const normsChart = new NormsChart($('#norms-chart'));
const network = new NetworkView($('#network'), $('#layer-buttons'), (hidden) => {
  controls.setHidden(hidden);
  changed('hidden');
});
const boundary = new BoundaryView($('#boundary'));
const lessonView = new LessonView($('#lesson'));
const stats = {
  state: $<HTMLElement>('[data-testid="state"]'),
  epoch: $<HTMLElement>('[data-testid="epoch"]'),
  step: $<HTMLElement>('[data-testid="step-count"]'),
  loss: $<HTMLElement>('[data-testid="loss"]'),
  testLoss: $<HTMLElement>('[data-testid="test-loss"]'),
  accuracy: $<HTMLElement>('[data-testid="accuracy"]'),
  testAccuracy: $<HTMLElement>('[data-testid="test-accuracy"]'),
  backend: $<HTMLElement>('[data-testid="backend-in-use"]'),
  message: $<HTMLElement>('[data-testid="message"]'),
  boundaryHint: $<HTMLElement>('[data-testid="boundary-hint"]'),
};

const worker = new Worker('worker.js');
/** The ops the worker offers after a hidden layer; empty until it says hello. */
let hiddenOps: readonly string[] = [];
/** The backends the worker found; unknown until it says hello. */
let backends: BackendOffers | undefined;
let checked: Checked = { ok: false, errors: {} };
/** The settings of the prepared run, to tell a live change from one that needs a new run. */
let current: RunSettings | undefined;
/** The settings of the last run asked for (prepared or on its way). */
let asked: RunSettings | undefined;
let speed: number | null | undefined;
let run = 0;
let state: RunState = 'ready';
let reason = '';
let epoch = 0;
let step = 0;
let accuracy = Number.NaN;
let testAccuracy = Number.NaN;
let frame = 0;
let lesson: { frame: LessonFrame; phase: number } | undefined;

function send(message: ToWorker): void {
  worker.postMessage(message);
}

function invalidate(): void {
  if (frame === 0) frame = requestAnimationFrame(render);
}

const mode = (): Mode => (checked.ok ? checked.settings.mode : (controls.read().mode as Mode));

/** Reads and checks the form, shows its messages, and keeps the URL in step with it. */
function check(): Checked {
  const raw = controls.read();
  checked = checkSettings(raw, hiddenOps, backends);
  const chosen = BACKENDS.find((name) => name === raw.backend);
  const offer = chosen === undefined ? undefined : backends?.[chosen];
  controls.markOps(offer?.available === true ? offer.ops : undefined, BACKEND_LABELS[chosen ?? 'wasm']);
  controls.showErrors(checked.ok ? {} : checked.errors);
  controls.showValues();
  const query = toQuery(raw);
  if (query !== location.search) history.replaceState(null, '', `${location.pathname}${query}`);
  document.body.classList.toggle('mode-lesson', raw.mode === 'lesson');
  document.body.classList.toggle('mode-playground', raw.mode !== 'lesson');
  invalidate();
  return checked;
}

/** Builds a new run from the form, if it is valid. */
function prepare(): void {
  if (!check().ok || !checked.ok) return;
  applySpeed(checked.stepsPerSecond);
  asked = checked.settings;
  send({ type: 'prepare', settings: checked.settings });
}

function applySpeed(stepsPerSecond: number | null): void {
  if (stepsPerSecond === speed) return;
  speed = stepsPerSecond;
  send({ type: 'speed', stepsPerSecond });
}

/** Whether settings differ from a run's in anything but the live settings (or there is no run). */
function needsNewRun(next: RunSettings, run: RunSettings | undefined): boolean {
  return run === undefined || (Object.keys(next) as (keyof RunSettings)[]).some((k) => !LIVE.includes(k) && JSON.stringify(next[k]) !== JSON.stringify(run[k]));
}

/** A field changed: a live setting goes to the running run, anything else starts over. */
function changed(field: Field): void {
  if (!check().ok || !checked.ok) return;
  const next = checked.settings;
  if (needsNewRun(next, current) || field === 'mode') {
    prepare();
    return;
  }
  applySpeed(checked.stepsPerSecond);
  if (next.lr !== current?.lr) send({ type: 'setLr', lr: next.lr });
  const rates = regularizationRates(next);
  const before = current === undefined ? undefined : regularizationRates(current);
  if (before === undefined || rates.l1 !== before.l1 || rates.l2 !== before.l2) send({ type: 'setRegularization', ...rates });
  current = next;
}

function apply(m: Update): void {
  lossChart.push(m.steps, m.losses, m.testSteps, m.testLosses);
  normsChart.push(m.normSteps, m.norms);
  step = m.steps.length > 0 ? (m.steps[m.steps.length - 1] as number) : step;
  if (m.epoch) {
    epoch = m.epoch.epoch;
    accuracy = m.epoch.accuracy;
    testAccuracy = m.epoch.testAccuracy;
  }
  if (m.network) network.update(m.network);
  if (m.boundary) {
    boundary.update(m.boundary);
    network.updateMaps(m.boundary);
  }
  if (m.state) {
    state = m.state;
    reason = m.reason ?? '';
  }
}

/** The backend line in the side bar; on WebGPU its title is the adapter's own description. */
function showBackend(line: string, name?: BackendName): void {
  stats.backend.textContent = line;
  const offer = name === undefined ? undefined : backends?.[name];
  stats.backend.title = offer?.available === true ? (offer.adapter?.description ?? '') : '';
}

function download(filename: string, bytes: Uint8Array, format: ExportFormat): void {
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: format === 'onnx' ? 'application/octet-stream' : 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  stats.message.textContent = `Saved ${filename} (${bytes.length} bytes).`;
}

function resetStats(): void {
  state = 'ready';
  reason = '';
  epoch = 0;
  step = 0;
  accuracy = Number.NaN;
  testAccuracy = Number.NaN;
  stats.message.textContent = '';
}

worker.onmessage = (event: MessageEvent<FromWorker>): void => {
  const m = event.data;
  if (m.type === 'hello') {
    hiddenOps = m.hiddenOps;
    backends = m.backends;
    controls.setBackends(backends);
    // Until a run is built, the chosen backend as the worker found it.
    const chosen = BACKENDS.find((name) => name === controls.read().backend) ?? 'wasm';
    const offer = backends[chosen];
    showBackend(offer.available ? offer.summary : `${BACKEND_LABELS[chosen]}: not available`, chosen);
    controls.setHiddenOps(hiddenOps, controls.read().activation);
    prepare();
  } else if (m.type === 'backends') {
    // Now WebGPU can be chosen: build the run a form waiting for it asks for.
    backends = m.backends;
    controls.setBackends(backends);
    if (check().ok && checked.ok && needsNewRun(checked.settings, asked)) prepare();
  } else if (m.type === 'prepared') {
    run = m.run;
    current = m.settings;
    lesson = undefined;
    resetStats();
    showBackend(m.backend, m.settings.backend);
    const problem: Problem = m.settings.problem;
    lossChart.clear();
    normsChart.reset(m.topology.linear);
    network.reset(m.topology, m.featureMaps, m.boundary.unitResolution, problem);
    network.updateMaps(m.boundary);
    boundary.reset(m.points, m.domain, m.boundary, problem);
    stats.boundaryHint.textContent =
      problem === 'classification' ? "The model's P(blue) over the plane, with the points" : "The model's prediction over the plane (orange −1, blue +1), with the points";
  } else if (m.run !== run && m.type !== 'lesson') {
    return; // from a run that was replaced
  } else if (m.type === 'lesson') {
    if (m.run !== run) {
      run = m.run;
      resetStats();
      current = checked.ok ? checked.settings : current;
    }
    lesson = { frame: m.frame, phase: 0 };
    showBackend(m.backend);
    step = m.frame.step;
  } else if (m.type === 'update') {
    apply(m);
  } else if (m.type === 'exported') {
    download(m.filename, m.bytes, m.format);
  } else {
    state = 'ended';
    reason = 'error';
    stats.message.textContent = m.message;
  }
  invalidate();
};

worker.onerror = (event: ErrorEvent): void => {
  stats.message.textContent = `The training worker failed: ${event.message}`;
};

function render(): void {
  frame = 0;
  const inLesson = mode() === 'lesson';
  controls.show(state, checked.ok && hiddenOps.length > 0, inLesson ? 'lesson' : 'playground');
  if (inLesson) {
    if (lesson !== undefined) lessonView.show(lesson.frame, LESSON_PHASES[lesson.phase] ?? 'forward');
    stats.state.textContent = lesson === undefined ? 'ready' : (LESSON_PHASES[lesson.phase] ?? 'forward');
    stats.state.dataset.state = 'lesson';
    stats.step.textContent = String(step);
    stats.step.dataset.value = String(step);
    return;
  }
  lossChart.render();
  normsChart.render();
  network.render();
  boundary.render();
  // An ended run says how it ended: completed, stopped, diverged or error.
  stats.state.textContent = state === 'ended' ? reason || 'ended' : state;
  stats.state.title = state === 'ended' ? `ended: ${reason}` : '';
  stats.state.dataset.state = state;
  stats.epoch.textContent = String(epoch);
  stats.step.textContent = String(step);
  stats.step.dataset.value = String(step);
  const show = (el: HTMLElement, v: number, text: string): void => {
    el.textContent = text;
    el.dataset.value = Number.isFinite(v) ? String(v) : '';
  };
  show(stats.loss, lossChart.latest, formatValue(lossChart.latest));
  show(stats.testLoss, lossChart.latestTest, formatValue(lossChart.latestTest));
  show(stats.accuracy, accuracy, formatPercent(accuracy));
  show(stats.testAccuracy, testAccuracy, formatPercent(testAccuracy));
}

controls.start.addEventListener('click', () => {
  if (state === 'ready' && mode() === 'playground' && current !== undefined) send({ type: 'start', paused: false });
  else prepare();
});
controls.pause.addEventListener('click', () => send({ type: 'pause' }));
controls.resume.addEventListener('click', () => send({ type: 'resume' }));
controls.step.addEventListener('click', () => {
  if (mode() !== 'lesson') {
    send({ type: 'step' });
    return;
  }
  if (lesson === undefined) return;
  // Forward, backward, update; then the next step's figures from the worker.
  if (lesson.phase < LESSON_PHASES.length - 1) lesson.phase++;
  else send({ type: 'lessonStep' });
  invalidate();
});
controls.exportCheckpoint.addEventListener('click', () => send({ type: 'export', format: 'checkpoint' }));
controls.exportOnnx.addEventListener('click', () => send({ type: 'export', format: 'onnx' }));
controls.showTest.addEventListener('change', () => {
  boundary.showTest(controls.showTest.checked);
  invalidate();
});
controls.form.addEventListener('change', (event) => {
  const target = event.target as HTMLElement;
  const field = (target.closest('[data-field]')?.getAttribute('data-field') ?? '') as Field;
  if (field === 'problem') controls.choseProblem(controls.read().problem as Problem);
  if (field === 'dataset') controls.choseDataset();
  changed(field);
});
// Sliders and text fields say what is wrong as one types; the run changes when the value is committed.
controls.form.addEventListener('input', () => check());

const initial: RawSettings = fromQuery(location.search);
controls.write(initial);
controls.setHiddenOps([], initial.activation);
check();
