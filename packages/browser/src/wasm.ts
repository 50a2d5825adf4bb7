/*
 * The WebAssembly backend, `dist/bundle/gradstream-wasm.js`: importing it registers the backend, so
 * models made by `gradstream.js` choose it (`backend: 'auto'` or `'wasm'`). On a page's main thread
 * the module compiles only asynchronously: `await loadWasmBackend()` first. The page's
 * Content-Security-Policy must allow `'wasm-unsafe-eval'`.
 */
export * from '@gradstream/backend-wasm';
