// The WebAssembly kernel set of @gradstream/backend-wasm: every export of these files is a wasm
// export (float32 data in the imported shared memory; pointers are byte offsets, sizes element
// counts). Build (from packages/backend-wasm, after `node scripts/gen-unary.mjs`):
//   npx asc assembly/index.ts -O3 --noAssert --runtime stub --enable simd --enable threads \
//     --importMemory --sharedMemory --initialMemory 256 --maximumMemory 65536 --outFile <x>.wasm
// unary-math.ts holds lane helpers only and is deliberately not re-exported.
export * from './matmul';
export * from './elementwise';
export * from './reduce';
export * from './softmax';
export * from './losses';
export * from './losses-more';
export * from './optimizers';
export * from './generated/unary';
export * from './image';
export * from './attention';
export * from './sequence';
export * from './norm';
