import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));
// CI sets this to collect counts from vitest's JSON reporter; people get the default reporter only.
const jsonReport = process.env.GRADSTREAM_TEST_REPORT;

// Tests run against the TypeScript sources, so `pnpm test` needs no build first.
export default defineConfig({
  resolve: {
    alias: {
      '@gradstream/tensor': src('tensor'),
      '@gradstream/backend-wasm': src('backend-wasm'),
      // Before '@gradstream/graph', which would otherwise match it as a prefix.
      '@gradstream/graph/node': fileURLToPath(new URL('./packages/graph/src/node-entry.ts', import.meta.url)),
      '@gradstream/graph': src('graph'),
      '@gradstream/ops': src('ops'),
      '@gradstream/trainer': src('trainer'),
      '@gradstream/datasets/digits': fileURLToPath(new URL('./packages/datasets/src/digits.ts', import.meta.url)),
      '@gradstream/datasets': src('datasets'),
      '@gradstream/cli': src('cli'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 60_000,
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
