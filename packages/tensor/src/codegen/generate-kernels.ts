import { UNARY_NAMES } from '../math/unary-ops.js';
import { TEMPLATES, functionBody, unaryTemplates, type KernelTemplate } from '../kernels/templates.js';
import { KERNEL_DOCS } from './kernel-docs.js';

const doc = (text: string): string => `/**\n${text.split('\n').map((l) => (l ? ` * ${l}` : ' *')).join('\n')}\n */`;

// An exported kernel without its TSDoc would ship undocumented: refuse to render rather than omit it.
const docOf = (name: string): string => {
  const text = Object.hasOwn(KERNEL_DOCS, name) ? KERNEL_DOCS[name] : undefined;
  if (text === undefined) throw new Error(`kernel template "${name}" has no TSDoc in codegen/kernel-docs.ts`);
  return text;
};

const fn = (name: string, t: KernelTemplate, exported: boolean, text: string | undefined): string =>
  `${text === undefined ? '' : `${doc(text)}\n`}${exported ? 'export ' : ''}function ${name}(${t.params.join(', ')}): void {\n${functionBody(t)
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n}\n`;

/**
 * The text of kernels/generated.ts: every template of kernels/templates.ts, with its TSDoc from
 * ./kernel-docs.ts, and the four kernels of every function of UNARY_OPS in both dtypes, as
 * TypeScript functions. The test that holds the file fresh compares it with this, and writes it
 * when asked to (see that test).
 */
export function renderGeneratedKernels(): string {
  const parts: string[] = [
    '// Generated from kernels/templates.ts and math/unary-ops.ts by `pnpm --filter @gradstream/tensor generate`. Do not edit:',
    '// change the templates or the definitions, then regenerate (a test fails while this file is stale).',
    '// @ts-nocheck: the bodies index typed arrays without the casts noUncheckedIndexedAccess asks for.',
    "import type { TypedArray } from '../dtype.js';",
    '',
  ];
  for (const [name, t] of Object.entries(TEMPLATES)) parts.push(fn(name, t, true, docOf(name)));
  const table: string[] = [];
  for (const name of UNARY_NAMES) {
    const pair: string[] = [];
    for (const [dtype, tag] of [['float32', 'f32'], ['float64', 'f64']] as const) {
      const t = unaryTemplates(name, dtype);
      const ids = Object.fromEntries((Object.keys(t) as (keyof typeof t)[]).map((k) => [k, `${name}_${k}_${tag}`]));
      for (const [k, template] of Object.entries(t)) parts.push(fn(ids[k] as string, template, false, undefined));
      pair.push(`{ forward: ${ids.forward}, backward: ${ids.backward}, biasForward: ${ids.biasForward}, biasBackward: ${ids.biasBackward} }`);
    }
    table.push(`  ${name}: [${pair.join(', ')}],`);
  }
  parts.push('/** The kernels of each elementwise function: [float32, float64]. */');
  parts.push(`export const GENERATED_UNARY = Object.freeze({\n${table.join('\n')}\n});\n`);
  return parts.join('\n');
}
