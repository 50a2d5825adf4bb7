// The page script of test/browser-bundle.e2e.test.ts: a plain ES module, served as a file of its
// own because the policies under test (`script-src 'self' …`) block inline scripts. It imports the
// ready bundles of @gradstream/browser as a page would, trains XOR and predicts, and hands back one
// JSON report in a console message (see REPORT_PREFIX), so the test reads the result without
// evaluating anything in the page while the policy is in force.
//
// Which scenario runs comes from the path the HTML was served under:
//   /wasm/    policy allows 'wasm-unsafe-eval': loadWasmBackend() resolves, the model trains on wasm;
//   /strict/  policy is `script-src 'self'` alone: loadWasmBackend() rejects, 'auto' trains on ts.

const REPORT_PREFIX = 'gradstream-bundle-report ';

// Registered before anything of the library is imported (the bundles are loaded with dynamic
// imports below, not static ones, which would run first): every violation the library causes,
// from module evaluation on, lands here.
const violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  violations.push({
    violatedDirective: e.violatedDirective,
    effectiveDirective: e.effectiveDirective,
    blockedURI: e.blockedURI,
    sourceFile: e.sourceFile,
    lineNumber: e.lineNumber,
    columnNumber: e.columnNumber,
    disposition: e.disposition,
    sample: e.sample,
  });
});

const XOR_X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const XOR_Y = [[0], [1], [1], [0]];

/** What the page reports of an error: enough to tell a GradstreamError's code from anything else. */
function describeError(e, GradstreamError) {
  return {
    name: e?.name,
    message: String(e?.message ?? e),
    code: e?.code,
    isGradstreamError: GradstreamError !== undefined && e instanceof GradstreamError,
  };
}

/** Runs `fit` to its end and resolves to the `end` event (and the `start` event's backend line). */
function train(g, model) {
  return new Promise((resolve, reject) => {
    let start;
    let end;
    g.fit(model, { x: XOR_X, y: XOR_Y }, { epochs: 2000, batchSize: XOR_X.length, optimizer: g.sgd({ lr: 0.5 }), seed: 1 }).subscribe({
      next: (e) => {
        if (e.type === 'start') start = e;
        else if (e.type === 'end') end = e;
      },
      error: reject,
      complete: () => resolve({ start, end }),
    });
  });
}

async function run() {
  const scenario = location.pathname.replace(/\//g, '');
  const timings = {};
  let t = performance.now();
  const lap = (name) => {
    const now = performance.now();
    timings[name] = Math.round((now - t) * 10) / 10;
    t = now;
  };

  const g = await import('/bundle/gradstream.js');
  const w = await import('/bundle/gradstream-wasm.js');
  lap('importMs');

  let wasmLoad;
  try {
    const backend = await w.loadWasmBackend();
    wasmLoad = { ok: true, backend: backend.name };
  } catch (e) {
    wasmLoad = { ok: false, error: describeError(e, g.GradstreamError) };
  }
  lap('loadWasmBackendMs');

  // 2-8-1 with sigmoid, as examples/xor. The backend is left to 'auto' in both scenarios: after
  // loadWasmBackend() resolved it must choose wasm, and where the policy refused wasm it must fall
  // back to ts and still train (the test asserts which one it was).
  const backend = 'auto';
  const model = g.sequential([g.linear({ inFeatures: 2, outFeatures: 8 }), g.sigmoid(), g.linear({ inFeatures: 8, outFeatures: 1 })], {
    inputShape: [2],
    loss: g.mse(),
    seed: 1,
    backend,
  });
  const { start, end } = await train(g, model);
  lap('trainMs');
  const predictions = Array.from(model.predict(XOR_X).data);
  lap('predictMs');

  return {
    scenario,
    requestedBackend: backend,
    wasmLoad,
    backend: model.backend.name,
    backendSummary: g.backendSummary(model.backend),
    runBackend: start?.config.backend,
    endReason: end?.reason,
    epochs: end?.epochs,
    loss: end?.loss,
    predictions,
    timings,
  };
}

async function report() {
  let result;
  try {
    result = await run();
  } catch (e) {
    result = { failed: describeError(e, undefined), stack: String(e?.stack ?? '') };
  }
  // A violation event is queued as a task of its own: one more turn of the event loop lets any
  // still pending one arrive before the list is sent.
  await new Promise((resolve) => setTimeout(resolve, 50));
  result.violations = violations;
  // Every script element of the document, and every script the page fetched: the test checks they
  // are the page's own files only.
  result.scriptElements = Array.from(document.scripts, (s) => ({ src: s.src, type: s.type, inline: !s.src, text: s.text.length }));
  result.scriptResources = performance
    .getEntriesByType('resource')
    .filter((r) => r.initiatorType === 'script' || r.initiatorType === 'other' || /\.m?js($|\?)/.test(r.name))
    .map((r) => ({ name: r.name, initiatorType: r.initiatorType }));
  window.__bundleResult = result;
  console.info(REPORT_PREFIX + JSON.stringify(result));
}

report();
