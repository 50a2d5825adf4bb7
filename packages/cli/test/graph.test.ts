import { describe, expect, it } from 'vitest';
import { run, tempDir } from './capture.js';

// x → linear 4→4 (named "end", a Mermaid keyword) → tanh → add(x, tanh_1) → linear 4→1 → mse:
// the add reads the input x directly, a DAG edge that skips two nodes.
const RESIDUAL = JSON.stringify({
  version: 1,
  inputShape: [4],
  layers: [
    { op: 'linear', name: 'end', inFeatures: 4, outFeatures: 4 },
    { op: 'tanh' },
    { op: 'add', name: 'skip "x"', inputs: ['x', 'tanh_1'] },
    { op: 'linear', inFeatures: 4, outFeatures: 1 },
  ],
  loss: { op: 'mse' },
});

async function graph(format: string): Promise<string> {
  const t = tempDir({ 'residual.json': RESIDUAL });
  try {
    const { code, stdout } = await run(['graph', 'residual.json', '--format', format], { cwd: t.dir });
    expect(code).toBe(0);
    return stdout;
  } finally {
    t.cleanup();
  }
}

describe('gradstream graph', () => {
  it('draws a residual DAG as DOT, with both edges into add and shapes on the nodes', async () => {
    const dot = await graph('dot');
    expect(dot.startsWith('digraph model {')).toBe(true);
    expect(dot.trim().endsWith('}')).toBe(true);
    const edges = dot.split('\n').filter((l) => l.includes('->')).map((l) => l.trim());
    expect(edges).toEqual([
      '"x" -> "end";',
      '"end" -> "tanh_1";',
      '"x" -> "skip \\"x\\"" [label="a"];',
      '"tanh_1" -> "skip \\"x\\"" [label="b"];',
      '"skip \\"x\\"" -> "linear_2";',
      '"linear_2" -> "mse_1" [label="pred"];',
      '"y" -> "mse_1" [label="target"];',
    ]);
    expect(dot).toContain('"end" [shape=box, label="end: linear\\nout [4]\\nweight [4,4], bias [4]"];');
    expect(dot).toContain('"x" [shape=ellipse, label="x: input\\n[4]"];');
    expect(dot).toContain('"mse_1" [shape=doubleoctagon, label="mse_1: mse (loss)\\nscalar"];');
  });

  it('draws it as a Mermaid flowchart with generated ids and names in the labels', async () => {
    const mermaid = await graph('mermaid');
    const lines = mermaid.trim().split('\n').map((l) => l.trim());
    expect(lines[0]).toBe('flowchart TD');
    // ids in order: x n0, y n1, end n2, tanh_1 n3, skip n4, linear_2 n5, mse_1 n6
    expect(lines).toContain('n2["end: linear<br/>out [4]<br/>weight [4,4], bias [4]"]');
    expect(lines).toContain('n4["skip #quot;x#quot;: add<br/>out [4]"]');
    expect(lines).toContain('n0(["x: input<br/>[4]"])');
    expect(lines).toContain('n6{{"mse_1: mse (loss)<br/>scalar"}}');
    expect(lines.filter((l) => l.includes('-->'))).toEqual(['n0 --> n2', 'n2 --> n3', 'n0 -->|a| n4', 'n3 -->|b| n4', 'n4 --> n5', 'n5 -->|pred| n6', 'n1 -->|target| n6']);
  });

  it('refuses an unknown format', async () => {
    const { code, stderr } = await run(['graph', 'examples/specs/xor.json', '--format', 'svg']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Allowed choices are dot, mermaid/);
  });
});
