import { describe, expect, it } from 'vitest';
import { run, tempDir } from './capture.js';

// The lesson's step, derived by hand without rounding between steps (examples/lesson/test):
// z₁ = 0.5·1 + 0.1 = 0.6, a₁ = σ(0.6) = 0.645656…, ŷ = 0.8·a₁ + 0.2 = 0.716525…, L = ½(ŷ − 1)² = 0.040189…,
// ∂L/∂ŷ = ŷ − 1 = −0.283475…, ∂L/∂w₂ = ∂L/∂ŷ·a₁ = −0.183029…, ∂L/∂a₁ = ∂L/∂ŷ·0.8 = −0.226780…,
// σ′(0.6) = a₁(1 − a₁) = 0.228784…, ∂L/∂w₁ = ∂L/∂b₁ = ∂L/∂a₁·σ′ = −0.051883…, then w ← w − 0.1·∂L/∂w.
const LESSON_ROWS: [RegExp, string][] = [
  [/^ +z₁\s+= w₁·x \+ b₁\s+(\S+)/m, '0.6000'],
  [/^ +a₁\s+= σ\(z₁\)\s+(\S+)/m, '0.6457'],
  [/^ +ŷ\s+= w₂·a₁ \+ b₂\s+(\S+)/m, '0.7165'],
  [/^ +L\s+= ½\(ŷ − y\)²\s+(\S+)/m, '0.0402'],
  [/^ +∂L\/∂ŷ\s+= ŷ − y\s+(\S+)/m, '-0.2835'],
  [/^ +∂L\/∂w₂\s+= .*?\s(-?\d\.\d{4})/m, '-0.1830'],
  [/^ +∂L\/∂a₁\s+= .*?\s(-?\d\.\d{4})/m, '-0.2268'],
  [/^ +σ′\(z₁\)\s+= .*?\s(-?\d\.\d{4})/m, '0.2288'],
  [/^ +∂L\/∂w₁\s+= .*?\s(-?\d\.\d{4})/m, '-0.0519'],
  [/^ +∂L\/∂b₁\s+= .*?\s(-?\d\.\d{4})/m, '-0.0519'],
  [/^ +w₂\s+= w₂ − α·∂L\/∂w₂\s+(\S+)/m, '0.8183'],
  [/^ +b₂\s+= b₂ − α·∂L\/∂b₂\s+(\S+)/m, '0.2283'],
  [/^ +w₁\s+= w₁ − α·∂L\/∂w₁\s+(\S+)/m, '0.5052'],
  [/^ +b₁\s+= b₁ − α·∂L\/∂b₁\s+(\S+)/m, '0.1052'],
];

// The lesson's network written as a spec, so `explain <spec>` can be checked against the same figures.
const LESSON_SPEC = JSON.stringify({
  version: 1,
  inputShape: [1],
  dtype: 'float64',
  layers: [
    { op: 'linear', inFeatures: 1, outFeatures: 1, weightInit: { type: 'constant', value: 0.5 }, biasInit: { type: 'constant', value: 0.1 } },
    { op: 'sigmoid' },
    { op: 'linear', inFeatures: 1, outFeatures: 1, weightInit: { type: 'constant', value: 0.8 }, biasInit: { type: 'constant', value: 0.2 } },
  ],
  loss: { op: 'mse' },
});

describe('gradstream explain', () => {
  it("prints the lesson's step with no argument, exact values and the lesson's rounded figures noted", async () => {
    const { code, stdout } = await run(['explain']);
    expect(code).toBe(0);
    for (const [pattern, value] of LESSON_ROWS) expect(stdout.match(pattern)?.[1], String(pattern)).toBe(value);
    expect(stdout).toMatch(/ŷ\s+= w₂·a₁ \+ b₂\s+0\.7165 †/);
    expect(stdout).toContain('The lesson shows ŷ ≈ 0.7166,');
    expect(stdout).toContain('L ≈ 0.0401 because it cuts ½·0.2834² = 0.04016 short');
  });

  it("walks a spec's step node by node: value, local derivative, signal, update", async () => {
    const t = tempDir({ 'lesson.json': LESSON_SPEC });
    try {
      const { code, stdout } = await run(['explain', 'lesson.json', '--x', '1', '--y', '1', '--lr', '0.1'], { cwd: t.dir });
      expect(code).toBe(0);
      expect(stdout).toMatch(/linear_1 = linear\(x\)\s+0\.6000/);
      expect(stdout).toMatch(/sigmoid_1 = sigmoid\(linear_1\)\s+0\.6457/);
      expect(stdout).toMatch(/linear_2 = linear\(sigmoid_1\)\s+0\.7165/);
      expect(stdout).toMatch(/mse_1 = mse\(linear_2, y\)\s+0\.0402/);
      // the loss's local derivative is ŷ − y; sigmoid's is σ′(z₁); linear_2's with respect to a₁ is w₂
      expect(stdout).toMatch(/local\s+∂mse_1\/∂linear_2 \(pred\)\s+-0\.2835/);
      expect(stdout).toMatch(/local\s+∂sigmoid_1\/∂linear_1 \(x\)\s+0\.2288/);
      expect(stdout).toMatch(/local\s+∂linear_2\/∂sigmoid_1 \(x\)\s+0\.8000/);
      expect(stdout).toMatch(/signal ∂L\/∂sigmoid_1\s+-0\.2268/);
      expect(stdout).toMatch(/signal ∂L\/∂linear_1\s+-0\.0519/);
      expect(stdout).toMatch(/∂L\/∂linear_2\.weight\s+-0\.1830/);
      expect(stdout).toMatch(/linear_1\.weight \[1,1\]\s+0\.5000 → 0\.5052/);
      expect(stdout).toMatch(/linear_2\.bias \[1\]\s+0\.2000 → 0\.2283/);
      expect(stdout).toContain('Update (sgd, α = 0.1)');
    } finally {
      t.cleanup();
    }
  });

  it('takes the sample from the first row of --data', async () => {
    const t = tempDir({ 'lesson.json': LESSON_SPEC, 'one.csv': 'x,y\n1,1\n0,0\n' });
    try {
      const { code, stdout } = await run(['explain', 'lesson.json', '--data', 'one.csv'], { cwd: t.dir });
      expect(code).toBe(0);
      expect(stdout).toContain('(the first sample of one.csv)');
      expect(stdout).toMatch(/linear_1 = linear\(x\)\s+0\.6000/);
    } finally {
      t.cleanup();
    }
  });

  it('asks for a sample when a spec comes without one', async () => {
    const { code, stderr } = await run(['explain', 'examples/specs/xor.json']);
    expect(code).toBe(2); // a usage error: the command line lacks the sample
    expect(stderr).toMatch(/--x and --y/);
  });
});
