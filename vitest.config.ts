import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { packageSources } from './test/support/package-sources.js';

// CI sets this to collect counts from vitest's JSON reporter; people get the default reporter only.
const jsonReport = process.env.GRADSTREAM_TEST_REPORT;

// Tests run against the TypeScript sources, so `pnpm test` needs no build first. Each specifier the
// packages export (`@gradstream/graph/node` included) maps to its source, matched whole so that
// `@gradstream/graph` does not also catch `@gradstream/graph/node` as a prefix.
const sources = packageSources(fileURLToPath(new URL('./', import.meta.url)));
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export default defineConfig({
  resolve: {
    alias: Object.entries(sources).map(([name, source]) => ({ find: new RegExp(`^${escape(name)}$`), replacement: source })),
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 60_000,
    // The WebGPU tests' adapter: SwiftShader, set up before the test processes start.
    globalSetup: ['test/support/webgpu-env.ts'],
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
