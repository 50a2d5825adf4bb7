import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

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
