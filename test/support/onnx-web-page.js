// The page script of test/onnx-web.e2e.test.ts: a plain ES module. It imports onnxruntime-web's
// wasm-only ESM build from the test's server (/ort/, the package's dist folder as installed), loads
// the digits model gradstream exported (/model.onnx) into an InferenceSession on the wasm execution
// provider, single-threaded, runs it on the batch the test sends (/inputs.json) and hands back one
// JSON report in a console message (see REPORT_PREFIX): the outputs, their names, dims and type,
// and how long each step took.

const REPORT_PREFIX = 'gradstream-onnx-web-report ';

async function run() {
  const timings = {};
  let t = performance.now();
  const lap = (name) => {
    const now = performance.now();
    timings[name] = Math.round((now - t) * 10) / 10;
    t = now;
  };

  const ort = await import('/ort/ort.wasm.min.mjs');
  lap('importMs');
  // One thread (no SharedArrayBuffer needed, so no cross-origin isolation), no proxy worker; the
  // runtime's .mjs and .wasm come from the same folder as the build itself.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;

  const [model, inputs] = await Promise.all([
    fetch('/model.onnx').then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`GET /model.onnx: ${r.status}`)))),
    fetch('/inputs.json').then((r) => (r.ok ? r.json() : Promise.reject(new Error(`GET /inputs.json: ${r.status}`)))),
  ]);
  lap('fetchMs');

  const session = await ort.InferenceSession.create(new Uint8Array(model), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  lap('sessionCreateMs');

  const x = new ort.Tensor('float32', Float32Array.from(inputs.data), inputs.shape);
  const outputs = await session.run({ x });
  lap('runMs');
  // A second run on the same session: the figure without the first call's one-time work.
  await session.run({ x });
  lap('secondRunMs');

  const result = {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    outputs: Object.fromEntries(
      Object.entries(outputs).map(([name, tensor]) => [name, { type: tensor.type, dims: Array.from(tensor.dims), data: Array.from(tensor.data) }]),
    ),
    timings,
  };
  await session.release();
  return result;
}

async function report() {
  let result;
  try {
    result = await run();
  } catch (e) {
    result = { failed: { name: e?.name, message: String(e?.message ?? e) }, stack: String(e?.stack ?? '') };
  }
  window.__onnxWebResult = result;
  console.info(REPORT_PREFIX + JSON.stringify(result));
}

report();
