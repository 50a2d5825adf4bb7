import { describe, expect, it } from 'vitest';
import { formatLessonStep, lessonModel, lessonStep, trainToConvergence } from '../src/index.js';

// The figures of the lesson's worked example, derived by hand without rounding between steps
// (a₁ = σ(0.6) = 0.645656…, ŷ = 0.8·a₁ + 0.2 = 0.716525…).
const EXPECTED = {
  z1: '0.6000',
  a1: '0.6457',
  yHat: '0.7165',
  loss: '0.0402',
  dYHat: '-0.2835',
  dW2: '-0.1830',
  dB2: '-0.2835',
  dA1: '-0.2268',
  sigmoidPrime: '0.2288',
  dW1: '-0.0519',
  dB1: '-0.0519',
  w2: '0.8183',
  b2: '0.2283',
  w1: '0.5052',
  b1: '0.1052',
};

describe('the lesson example', () => {
  it('computes every figure of the worked step through the trainer', async () => {
    const step = await lessonStep();
    const rounded = Object.fromEntries(Object.entries(step).map(([k, v]) => [k, v.toFixed(4)]));
    expect(rounded).toEqual(EXPECTED);
    // beyond 4 decimals: ŷ is exactly 0.8·σ(0.6) + 0.2, not the lesson's rounded 0.7166
    expect(step.yHat).toBeCloseTo(0.8 / (1 + Math.exp(-0.6)) + 0.2, 12);
  });

  it('prints the table with the footnote beside the rows the lesson rounds', async () => {
    const text = formatLessonStep(await lessonStep());
    expect(text).toMatch(/ŷ\s+= w₂·a₁ \+ b₂\s+0\.7165 †/);
    expect(text).toMatch(/∂L\/∂a₁\s+= .*-0\.2268 †/);
    expect(text).toMatch(/σ′\(z₁\)\s+= .*\s0\.2288$/m);
    expect(text).toMatch(/w₁\s+= .*\s0\.5052$/m);
    expect(text).toContain('The lesson shows ŷ ≈ 0.7166,');
    expect(text).toContain('L ≈ 0.0401 because it cuts');
    expect(text).not.toMatch(/−\d/); // numbers use ASCII minus signs
  });

  it('trains the single sample to convergence', async () => {
    const model = lessonModel();
    await lessonStep(model);
    const last = await trainToConvergence(model, 1e-8);
    expect(last.loss).toBeLessThan(1e-8);
    expect(model.predict([[1]]).data[0]).toBeCloseTo(1, 3);
  });
});
