import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderGeneratedKernels } from '../src/codegen/generate-kernels.js';

const path = fileURLToPath(new URL('../src/kernels/generated.ts', import.meta.url));

describe('kernels/generated.ts', () => {
  // `pnpm --filter @gradstream/tensor generate` runs this with GRADSTREAM_WRITE_GENERATED=1 to rewrite it.
  it('is exactly what the templates and the elementwise definitions render', () => {
    const want = renderGeneratedKernels();
    if (process.env.GRADSTREAM_WRITE_GENERATED === '1') writeFileSync(path, want);
    expect(readFileSync(path, 'utf8')).toBe(want);
  });
});
