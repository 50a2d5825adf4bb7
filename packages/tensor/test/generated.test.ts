import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderGeneratedKernels } from '../src/codegen/generate-kernels.js';
import { KERNEL_DOCS } from '../src/codegen/kernel-docs.js';
import { TEMPLATES } from '../src/kernels/templates.js';

const path = fileURLToPath(new URL('../src/kernels/generated.ts', import.meta.url));

describe('codegen/kernel-docs.ts', () => {
  // The docs live apart from the templates (which ship at run time), so nothing else ties the two lists together.
  it('documents every kernel template and names no other', () => {
    const templates = Object.keys(TEMPLATES).sort();
    const documented = Object.keys(KERNEL_DOCS).sort();
    expect(templates.filter((name) => !documented.includes(name)), 'templates without a doc').toEqual([]);
    expect(documented.filter((name) => !templates.includes(name)), 'docs that name no template').toEqual([]);
  });

  it('gives each kernel a non-empty TSDoc with an @example', () => {
    for (const [name, text] of Object.entries(KERNEL_DOCS)) {
      expect(text.trim(), name).not.toBe('');
      expect(text, name).toContain('@example');
    }
  });
});

describe('kernels/generated.ts', () => {
  // `pnpm --filter @gradstream/tensor generate` runs this with GRADSTREAM_WRITE_GENERATED=1 to rewrite it.
  it('is exactly what the templates and the elementwise definitions render', () => {
    const want = renderGeneratedKernels();
    if (process.env.GRADSTREAM_WRITE_GENERATED === '1') writeFileSync(path, want);
    expect(readFileSync(path, 'utf8')).toBe(want);
  });
});
