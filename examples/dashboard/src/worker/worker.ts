// The worker trains on WebAssembly: a browser build of the library loads a backend only when asked.
import '@gradstream/backend-wasm';
import { transferables, type FromWorker, type ToWorker } from '../shared/protocol.js';
import { Session } from './session.js';

/* The training side of the dashboard: it owns at most one prepared run and turns the page's
   messages into that run's commands. All of fit's work happens here, off the page's thread. */

let session: Session | undefined;
let runs = 0;
let speed: number | null = null;

function post(message: FromWorker): void {
  postMessage(message, transferables(message));
}

function fail(err: unknown): void {
  post({ type: 'error', run: session?.run ?? runs, message: err instanceof Error ? err.message : String(err) });
}

onmessage = (event: MessageEvent<ToWorker>): void => {
  const m = event.data;
  try {
    if (m.type === 'prepare') {
      session?.dispose();
      session = new Session(++runs, m.settings, post);
      session.setSpeed(speed);
      post(session.prepared());
    } else if (m.type === 'start') session?.start(m.paused);
    else if (m.type === 'speed') {
      speed = m.stepsPerSecond;
      session?.setSpeed(speed);
    }
    else if (m.type === 'pause') session?.pause();
    else if (m.type === 'resume') session?.resume();
    else if (m.type === 'step') session?.step();
    else session?.setLr(m.lr);
  } catch (err) {
    fail(err);
  }
};
