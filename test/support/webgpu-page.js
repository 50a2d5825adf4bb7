// The page script of test/webgpu-page.e2e.test.ts: a plain ES module that imports the ready bundles
// of @gradstream/browser as a page would (gradstream.js, then gradstream-webgpu.js), loads the
// WebGPU backend, and hands back one JSON report in a console message (see REPORT_PREFIX).
//
// Where loadWebGpuBackend() resolves, the page trains the README's XOR net on WebGPU and predicts
// with predictAsync. Where it rejects (a browser without WebGPU), the page records the error and
// what `backend: 'webgpu'` then does when a model is made.

const REPORT_PREFIX = 'gradstream-webgpu-report ';

const XOR_X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const XOR_Y = [[0], [1], [1], [0]];
/** Epochs whose loss the report carries: every 500th, as the README prints them. */
const EVERY = 500;

/** What the page reports of an error: its code and details, and whether it is the library's class. */
function describeError(e, GradstreamError) {
  return {
    name: e?.name,
    message: String(e?.message ?? e),
    code: e?.code,
    details: e?.details,
    isGradstreamError: GradstreamError !== undefined && e instanceof GradstreamError,
  };
}

/** The README's XOR net: linear 2→8, sigmoid, linear 8→1, mean squared error, seed 1. */
function xorModel(g, backend) {
  return g.sequential([g.linear({ inFeatures: 2, outFeatures: 8 }), g.sigmoid(), g.linear({ inFeatures: 8, outFeatures: 1 })], {
    inputShape: [2],
    loss: g.mse(),
    seed: 1,
    backend,
  });
}

/** Runs the README's `fit` to its end: every 500th epoch's loss, and the `start` and `end` events. */
function train(g, model) {
  return new Promise((resolve, reject) => {
    const losses = [];
    let start;
    let end;
    g.fit(model, { x: XOR_X, y: XOR_Y }, { epochs: 2000, batchSize: 4, optimizer: g.sgd({ lr: 0.5 }), seed: 1 }).subscribe({
      next: (e) => {
        if (e.type === 'start') start = e;
        else if (e.type === 'end') end = e;
        else if (e.type === 'epoch' && e.epoch % EVERY === 0) losses.push({ epoch: e.epoch, loss: e.loss });
      },
      error: reject,
      complete: () => resolve({ losses, start, end }),
    });
  });
}

async function run() {
  const timings = {};
  let t = performance.now();
  const lap = (name) => {
    const now = performance.now();
    timings[name] = Math.round((now - t) * 10) / 10;
    t = now;
  };

  const g = await import('/bundle/gradstream.js');
  const w = await import('/bundle/gradstream-webgpu.js');
  lap('importMs');
  const navigatorGpu = 'gpu' in navigator;

  let backend;
  try {
    backend = await w.loadWebGpuBackend();
  } catch (e) {
    lap('loadMs');
    // No WebGPU here: choosing the backend by name must fail the same way, with the library's error.
    let choose;
    try {
      const model = xorModel(g, 'webgpu');
      choose = { ok: true, backend: model.backend.name };
    } catch (e2) {
      choose = { ok: false, error: describeError(e2, g.GradstreamError) };
    }
    return { navigatorGpu, load: { ok: false, error: describeError(e, g.GradstreamError) }, choose, timings };
  }
  lap('loadMs');

  const model = xorModel(g, 'webgpu');
  const { losses, start, end } = await train(g, model);
  lap('trainMs');
  const predictions = Array.from((await model.predictAsync(XOR_X)).data);
  lap('predictMs');
  const report = {
    navigatorGpu,
    load: { ok: true, adapter: backend.adapter, description: backend.description },
    backend: model.backend.name,
    sameBackend: model.backend === backend,
    runBackend: start?.config.backend,
    endReason: end?.reason,
    epochs: end?.epochs,
    losses,
    predictions,
    memory: backend.memory(),
    timings,
  };
  // The page's teardown: the device and every buffer on it go.
  w.unloadWebGpuBackend();
  return report;
}

async function report() {
  let result;
  try {
    result = await run();
  } catch (e) {
    result = { failed: describeError(e, undefined), stack: String(e?.stack ?? '') };
  }
  console.info(REPORT_PREFIX + JSON.stringify(result));
}

report();
