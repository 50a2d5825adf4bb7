/**
 * Everything of `@gradstream/tensor`, `@gradstream/graph`, `@gradstream/ops` and
 * `@gradstream/trainer`, as one ES module for pages: `dist/bundle/gradstream.js`, minified, with its
 * source map. It trains on the TypeScript backend; `gradstream-wasm.js` adds the WebAssembly one.
 * Nothing in it needs `eval` or `new Function`: schemas are checked by validators compiled ahead of
 * time, and generated plan code, an optimization, is left out where the page forbids it.
 *
 * @packageDocumentation
 */
export * from '@gradstream/tensor';
export * from '@gradstream/graph';
export * from '@gradstream/ops';
export * from '@gradstream/trainer';
// The layers, not tensor's kernels of the same names (those stay on every backend: `tsBackend.add`).
export { add, avgPool2d, batchNorm, layerNorm, maxPool2d, mse, softmaxCrossEntropy } from '@gradstream/ops';
