import { transferables, type FromWorker, type ToWorker } from '../shared/protocol.js';
import { backendLine } from './backend-line.js';
import { offerBackends, withWebGpuOps } from './backends.js';
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
      await postLessonStep(lesson, run);
      return;
    }
    session = new Session(run, m.settings, post);
    session.setSpeed(speed);
    post(await session.prepared());
  } else if (m.type === 'lessonStep') {
    if (lesson !== undefined) await postLessonStep(lesson, runs);
  } else if (m.type === 'export') {
    const model = lesson?.model ?? session?.model;
    if (model === undefined) return;
    await session?.paramsOnHost();
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

async function postLessonStep(run: LessonRun, id: number): Promise<void> {
  // The lesson computes in float64, which only the TypeScript backend does: it never uses the chosen one.
  post({ type: 'lesson', run: id, frame: await run.next(), backend: backendLine(run.model.backend) });
}

// Messages are handled one after another: a run's `prepared` reaches the page before anything
// that run reports, and an export waits for its parameters. The first waits for the hello: what
// the controls can offer, the ops that can follow a hidden layer (custom plugins included) and the
// backends this browser gives the worker. Which ops run on WebGPU follows when found out, while
// the page already trains on WebAssembly.
const ops = hiddenOps();
let queue: Promise<void> = offerBackends(ops).then((backends) => {
  post({ type: 'hello', hiddenOps: ops, backends });
  if (backends.webgpu.available) void withWebGpuOps(backends, ops).then((all) => post({ type: 'backends', backends: all }));
});

onmessage = (event: MessageEvent<ToWorker>): void => {
  queue = queue.then(() => handle(event.data)).catch(fail);
};
