// The worker trains on WebAssembly: a browser build of the library loads a backend only when asked.
import '@gradstream/backend-wasm';
import { backendSummary, sequential } from '@gradstream/graph';
import { linear, softmaxCrossEntropy } from '@gradstream/ops';
import { transferables, type FromWorker, type ToWorker } from '../shared/protocol.js';
import { exportModel } from './export.js';
import { LessonRun } from './lesson.js';
import { hiddenOps } from './network.js';
import './plugins.js';
import { Session } from './session.js';

/* The training side of the dashboard: it owns at most one prepared run (a playground run or the
   lesson's) and turns the page's messages into that run's commands. All of fit's work happens
   here, off the page's thread. */

let session: Session | undefined;
let lesson: LessonRun | undefined;
let runs = 0;
let speed: number | null = null;

function post(message: FromWorker): void {
  postMessage(message, transferables(message));
}

function fail(err: unknown): void {
  post({ type: 'error', run: runs, message: err instanceof Error ? err.message : String(err) });
}

async function handle(m: ToWorker): Promise<void> {
  if (m.type === 'prepare') {
    session?.dispose();
    session = undefined;
    lesson = undefined;
    const run = ++runs;
    if (m.settings.mode === 'lesson') {
      lesson = new LessonRun();
      post({ type: 'lesson', run, frame: await lesson.next() });
      return;
    }
    session = new Session(run, m.settings, post);
    session.setSpeed(speed);
    post(session.prepared());
  } else if (m.type === 'lessonStep') {
    if (lesson !== undefined) post({ type: 'lesson', run: runs, frame: await lesson.next() });
  } else if (m.type === 'export') {
    const model = lesson?.model ?? session?.model;
    if (model === undefined) return;
    const name = lesson !== undefined ? 'lesson' : `${session?.settings.dataset ?? 'model'}`;
    post({ type: 'exported', run: runs, format: m.format, ...exportModel(model, m.format, `gradstream-${name}`) });
  } else if (m.type === 'start') session?.start(m.paused);
  else if (m.type === 'speed') {
    speed = m.stepsPerSecond;
    session?.setSpeed(speed);
  } else if (m.type === 'pause') session?.pause();
  else if (m.type === 'resume') session?.resume();
  else if (m.type === 'step') session?.step();
  else if (m.type === 'setLr') session?.setLr(m.lr);
  else session?.setRegularization(m.l1, m.l2);
}

onmessage = (event: MessageEvent<ToWorker>): void => {
  handle(event.data).catch(fail);
};

// What the controls can offer: the ops that can follow a hidden layer (custom plugins included),
// and the backend the runs train on.
const probe = sequential([linear({ inFeatures: 1, outFeatures: 2 })], { inputShape: [1], loss: softmaxCrossEntropy() });
post({ type: 'hello', hiddenOps: hiddenOps(), backend: backendSummary(probe.backend) });
