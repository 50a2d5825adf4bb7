import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lastValueFrom, map, toArray } from 'rxjs';
import { sequential } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { epochs$, fit, sgd } from '@gradstream/trainer';
import { runBlock } from './support/run-block.js';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string>; packageManager: string };

describe('the README quick start', () => {
  const section = readme.split('## Quick start')[1]?.split('\n## ')[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const lines = block.trim().split('\n');

  it('comes first and holds exactly two command lines: run the demo, run the tests', () => {
    expect(readme.indexOf('## Quick start')).toBeLessThan(readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
    expect(readme.split('\n## ')[1]?.startsWith('Quick start')).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^npm i -g pnpm@12\.4\.2 && pnpm install --frozen-lockfile && pnpm start$/);
    expect(lines[1]).toBe('pnpm test');
  });

  it('names scripts that exist and the pinned package manager', () => {
    expect(pkg.packageManager).toBe('pnpm@12.4.2');
    expect(pkg.scripts.start).toContain('gradstream explain');
    expect(pkg.scripts.start).toContain('example-digits');
    expect(pkg.scripts.test).toContain('vitest');
  });
});

describe('the README example, run as written', () => {
  it('prints the numbers of one run, as a single subscriber alone sees them', async () => {
    const run = await runBlock('README.md', 1);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // The same model, data and options with one subscriber only: the numbers one run gives.
    const model = sequential([linear({ inFeatures: 2, outFeatures: 8 }), sigmoid(), linear({ inFeatures: 8, outFeatures: 1 })], {
      inputShape: [2],
      loss: mse(),
      seed: 1,
    });
    const xor = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] };
    const alone = await lastValueFrom(
      epochs$(fit(model, xor, { epochs: 2000, batchSize: 4, optimizer: sgd({ lr: 0.5 }), seed: 1 })).pipe(
        map((e) => (e.epoch % 500 === 0 ? `epoch ${e.epoch}: loss ${e.loss.toExponential(2)}\n` : '')),
        toArray(),
      ),
    );
    expect(run.stdout).toBe(alone.join(''));
    // and what the README says it prints
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(readme).toContain(`It prints \`${lines[0]}\` … \`${lines[3]}\``);
  });
});
