import { describe, expect, it } from 'vitest';
import { run } from './capture.js';

const XOR_SPEC = 'examples/specs/xor.json';

/** The epoch events of a `--json` run's output. */
function epochs(stdout: string): { epoch: number; metrics: Record<string, number> }[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; epoch: number; metrics: Record<string, number> })
    .filter((e) => e.type === 'epoch');
}

describe('train with no optimizer, rate or epochs given', () => {
  for (const data of ['xor', 'moons', 'circles']) {
    it(`learns builtin:${data} to at least 95 % accuracy`, async () => {
      const { code, stdout } = await run(['train', XOR_SPEC, '--data', `builtin:${data}`, '--json']);
      expect(code).toBe(0);
      const start = JSON.parse(stdout.split('\n')[0] as string) as { config: { epochs: number; optimizer: { name: string; lr: number } } };
      expect(start.config).toMatchObject({ epochs: 100, optimizer: { name: 'adam', lr: 0.01 } });
      const last = epochs(stdout).at(-1);
      expect(last?.epoch).toBe(100);
      expect(last?.metrics['accuracy']).toBeGreaterThanOrEqual(0.95);
    });
  }
});
