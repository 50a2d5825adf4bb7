import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { FromWorker, RunState, ToWorker, Update } from '../shared/protocol.js';
import { BoundaryView } from './boundary-view.js';
import { Controls } from './controls.js';
import { LossChart } from './loss-chart.js';
import { NetworkView } from './network-view.js';
import { NormsChart } from './norms-chart.js';

/* The page only draws: the worker trains and sends what happened in batches; the page folds
   each message into its views and repaints at most once per animation frame. */

const $ = <T extends Element>(selector: string): T => {
  const e = document.querySelector<T>(selector);
  if (e === null) throw new Error(`the page has no element ${selector}`);
  return e;
};

const controls = new Controls();
const lossChart = new LossChart($('#loss-chart'));
const normsChart = new NormsChart($('#norms-chart'));
const network = new NetworkView($('#network'));
const boundary = new BoundaryView($('#boundary'));
const stats = {
  state: $<HTMLElement>('[data-testid="state"]'),
  epoch: $<HTMLElement>('[data-testid="epoch"]'),
  step: $<HTMLElement>('[data-testid="step-count"]'),
  loss: $<HTMLElement>('[data-testid="loss"]'),
  accuracy: $<HTMLElement>('[data-testid="accuracy"]'),
  backend: $<HTMLElement>('[data-testid="backend"]'),
  message: $<HTMLElement>('[data-testid="message"]'),
};

const worker = new Worker('worker.js');
let run = 0;
let state: RunState = 'ready';
let reason = '';
let epoch = 0;
let step = 0;
let accuracy = Number.NaN;
let frame = 0;

function send(message: ToWorker): void {
  worker.postMessage(message);
}

function invalidate(): void {
  if (frame === 0) frame = requestAnimationFrame(render);
}

function prepare(): void {
  const settings = controls.settings();
  if (settings !== undefined) send({ type: 'prepare', settings });
}

function apply(m: Update): void {
  lossChart.push(m.steps, m.losses);
  normsChart.push(m.normSteps, m.norms);
  step = m.steps.length > 0 ? (m.steps[m.steps.length - 1] as number) : step;
  if (m.epoch) {
    epoch = m.epoch.epoch;
    accuracy = m.epoch.accuracy;
  }
  if (m.network) network.update(m.network);
  if (m.boundary) boundary.update(m.boundary);
  if (m.state) {
    state = m.state;
    reason = m.reason ?? '';
  }
}

worker.onmessage = (event: MessageEvent<FromWorker>): void => {
  const m = event.data;
  if (m.type === 'prepared') {
    run = m.run;
    state = 'ready';
    reason = '';
    epoch = 0;
    step = 0;
    accuracy = Number.NaN;
    stats.message.textContent = '';
    stats.backend.textContent = m.backend;
    lossChart.clear();
    normsChart.reset(m.topology.linear);
    network.reset(m.topology);
    boundary.reset(m.points, m.domain, m.boundary);
  } else if (m.run !== run) {
    return; // from a run that was replaced
  } else if (m.type === 'update') {
    apply(m);
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

function format(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

function render(): void {
  frame = 0;
  lossChart.render();
  normsChart.render();
  network.render();
  boundary.render();
  controls.show(state);
  // An ended run says how it ended: completed, stopped, diverged or error.
  stats.state.textContent = state === 'ended' ? reason || 'ended' : state;
  stats.state.title = state === 'ended' ? `ended: ${reason}` : '';
  stats.state.dataset.state = state;
  stats.epoch.textContent = String(epoch);
  stats.step.textContent = String(step);
  stats.step.dataset.value = String(step);
  const loss = lossChart.latest;
  stats.loss.textContent = format(loss);
  stats.loss.dataset.value = Number.isFinite(loss) ? String(loss) : '';
  stats.accuracy.textContent = Number.isFinite(accuracy) ? `${(accuracy * 100).toFixed(1)} %` : '–';
}

controls.start.addEventListener('click', () => {
  if (state === 'ready') send({ type: 'start', paused: false });
  else prepare();
});
controls.pause.addEventListener('click', () => send({ type: 'pause' }));
controls.resume.addEventListener('click', () => send({ type: 'resume' }));
controls.step.addEventListener('click', () => send({ type: 'step' }));
for (const field of [controls.dataset, controls.hidden, controls.activation, controls.optimizer, controls.batchSize]) {
  // A different data set or network is a different run, as in TensorFlow Playground.
  field.addEventListener('change', prepare);
}
controls.speed.addEventListener('change', () => send({ type: 'speed', stepsPerSecond: controls.stepsPerSecond() }));
controls.lr.addEventListener('change', () => {
  const lr = controls.learningRate();
  if (lr !== undefined && state !== 'ready') send({ type: 'setLr', lr });
  else if (lr !== undefined) prepare();
});

send({ type: 'speed', stepsPerSecond: controls.stepsPerSecond() });
prepare();
invalidate();
