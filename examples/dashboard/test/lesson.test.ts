import { describe, expect, it } from 'vitest';
import { lessonLabels, lessonNumber, wrapLines, type LessonLabelKey } from '../src/page/lesson-labels.js';
import { LESSON_PHASES, type LessonFrame } from '../src/shared/lesson-frame.js';
import { LessonRun } from '../src/worker/lesson.js';

/* The lesson mode: the worker's run of the lesson's 1-1-1 network and the texts the page draws. */

interface Params {
  readonly w1: number;
  readonly b1: number;
  readonly w2: number;
  readonly b2: number;
}

/** One step of x → w₁x + b₁ → σ → w₂a₁ + b₂ → ½(ŷ − y)² by the chain rule, in float64, for x = y = 1 and α = 0.1. */
function byHand(p: Params) {
  const x = 1;
  const y = 1;
  const z1 = p.w1 * x + p.b1;
  const a1 = 1 / (1 + Math.exp(-z1));
  const yHat = p.w2 * a1 + p.b2;
  const loss = 0.5 * (yHat - y) ** 2;
  const dYHat = yHat - y;
  const dA1 = dYHat * p.w2;
  const sigmoidPrime = a1 * (1 - a1);
  const dZ1 = dA1 * sigmoidPrime;
  const grads = { w1: dZ1 * x, b1: dZ1, w2: dYHat * a1, b2: dYHat };
  const after = { w1: p.w1 - 0.1 * grads.w1, b1: p.b1 - 0.1 * grads.b1, w2: p.w2 - 0.1 * grads.w2, b2: p.b2 - 0.1 * grads.b2 };
  return { z1, a1, yHat, loss, dYHat, dA1, sigmoidPrime, dZ1, grads, after };
}

const IDS = { w1: 'linear_1.weight', b1: 'linear_1.bias', w2: 'linear_2.weight', b2: 'linear_2.bias' } as const;
const KEYS = ['w1', 'b1', 'w2', 'b2'] as const;

/** The figures of a frame, named as the lesson names them. */
function figures(frame: LessonFrame) {
  const w = frame.walkthrough;
  const node = (name: string) => w.nodes.find((n) => n.name === name);
  const first = (v: readonly number[] | undefined): number => v?.[0] ?? Number.NaN;
  const param = (key: (typeof KEYS)[number]) => w.params.find((p) => p.id === IDS[key]);
  const each = (f: (p: ReturnType<typeof param>) => readonly number[] | undefined) =>
    Object.fromEntries(KEYS.map((k) => [k, first(f(param(k)))])) as Record<(typeof KEYS)[number], number>;
  return {
    z1: first(node('linear_1')?.value.values),
    a1: first(node('sigmoid_1')?.value.values),
    yHat: first(node('linear_2')?.value.values),
    loss: w.loss,
    dYHat: first(node('linear_2')?.signal.values),
    dA1: first(node('sigmoid_1')?.signal.values),
    sigmoidPrime: first(node('sigmoid_1')?.local[0]?.values),
    dZ1: first(node('linear_1')?.signal.values),
    before: each((p) => p?.before),
    grads: each((p) => p?.gradient),
    after: each((p) => p?.after),
  };
}

function expectHand(frame: LessonFrame, start: Params): void {
  const f = figures(frame);
  const h = byHand(start);
  expect(f.before).toEqual(start);
  for (const k of ['z1', 'a1', 'yHat', 'loss', 'dYHat', 'dA1', 'sigmoidPrime', 'dZ1'] as const) expect(f[k], k).toBeCloseTo(h[k], 14);
  for (const k of KEYS) {
    expect(f.grads[k], `∂L/∂${k}`).toBeCloseTo(h.grads[k], 14);
    expect(f.after[k], k).toBeCloseTo(h.after[k], 14);
  }
}

const LESSON_START: Params = { w1: 0.5, b1: 0.1, w2: 0.8, b2: 0.2 };

describe('LessonRun', () => {
  it('step 1 is the lesson’s worked step, to the lesson’s figures and exactly', async () => {
    const frame = await new LessonRun().next();
    expect(frame.step).toBe(1);
    expect(frame.walkthrough.optimizer).toEqual({ name: 'sgd', lr: 0.1 });
    expect(frame.walkthrough.x).toEqual([1]);
    expect(frame.walkthrough.y).toEqual([1]);
    expectHand(frame, LESSON_START);
    // The lesson's table, worked by hand without rounding between steps.
    const f = figures(frame);
    const four = (v: number) => v.toFixed(4);
    expect([f.z1, f.a1, f.yHat, f.loss].map(four)).toEqual(['0.6000', '0.6457', '0.7165', '0.0402']);
    expect([f.grads.w2, f.grads.b2, f.grads.w1, f.grads.b1].map(four)).toEqual(['-0.1830', '-0.2835', '-0.0519', '-0.0519']);
    expect([f.after.w2, f.after.b2, f.after.w1, f.after.b1].map(four)).toEqual(['0.8183', '0.2283', '0.5052', '0.1052']);
  });

  it('each next step starts from the parameters the one before left', async () => {
    const run = new LessonRun();
    const one = await run.next();
    const two = await run.next();
    expect(two.step).toBe(2);
    expect(figures(two).before).toEqual(figures(one).after);
    expectHand(two, figures(one).after);
    expect(two.walkthrough.loss).toBeLessThan(one.walkthrough.loss);
    expect(run.model.parameters().map((p) => p.value.data[0])).toEqual(KEYS.map((k) => figures(two).after[k]));
  });

  it('takes steps asked for at once one after the other', async () => {
    const run = new LessonRun();
    const [one, two] = await Promise.all([run.next(), run.next()]);
    expect([one.step, two.step]).toEqual([1, 2]);
    expect(figures(two).before).toEqual(figures(one).after);
  });

  it('sends plain data, which posting to the page copies whole', async () => {
    const frame = await new LessonRun().next();
    expect(structuredClone(frame)).toEqual(frame);
  });
});

describe('lessonLabels', () => {
  const FORWARD: readonly LessonLabelKey[] = ['phase', 'explain', 'x', 'y', 'z1', 'a1', 'yhat', 'loss', 'w1', 'b1', 'w2', 'b2'];
  const BACKWARD: readonly LessonLabelKey[] = [...FORWARD, 'dyhat', 'da1', 'dz1', 'sigma', 'dw1', 'db1', 'dw2', 'db2'];
  const UPDATE: readonly LessonLabelKey[] = [
    ...BACKWARD,
    ...KEYS.map((k) => `${k}-before` as const),
    ...KEYS.map((k) => `${k}-step` as const),
    'note',
  ];
  const sorted = (keys: readonly string[]) => [...keys].sort();

  it('shows the forward values, with the parameters the step starts from', async () => {
    const labels = lessonLabels(await new LessonRun().next(), 'forward');
    expect(sorted(Object.keys(labels))).toEqual(sorted(FORWARD));
    expect(labels).toMatchObject({ phase: 'Step 1 · Forward pass', x: '1.0000', y: '1.0000', z1: '0.6000', a1: '0.6457', yhat: '0.7165', loss: '0.0402' });
    expect(labels).toMatchObject({ w1: '0.5000', b1: '0.1000', w2: '0.8000', b2: '0.2000' });
    expect(labels.explain).toMatch(/^Forward: each node computes its value from the one before/);
  });

  it('adds the backward figures: the signal on each edge, σ′(z₁) and each gradient', async () => {
    const labels = lessonLabels(await new LessonRun().next(), 'backward');
    expect(sorted(Object.keys(labels))).toEqual(sorted(BACKWARD));
    expect(labels).toMatchObject({ phase: 'Step 1 · Backward pass', dyhat: '−0.2835', da1: '−0.2268', dz1: '−0.0519', sigma: '0.2288' });
    expect(labels).toMatchObject({ dw2: '−0.1830', db2: '−0.2835', dw1: '−0.0519', db1: '−0.0519' });
    // still the values before the update
    expect(labels).toMatchObject({ w1: '0.5000', w2: '0.8000' });
  });

  it('shows each parameter before → after with its step −α·∂L/∂w, and the lesson’s rounding on step 1', async () => {
    const labels = lessonLabels(await new LessonRun().next(), 'update');
    expect(sorted(Object.keys(labels))).toEqual(sorted(UPDATE));
    expect(labels.phase).toBe('Step 1 · Update (α = 0.1)');
    expect(labels).toMatchObject({ 'w2-before': '0.8000', w2: '0.8183', 'b2-before': '0.2000', b2: '0.2283', 'w1-before': '0.5000', w1: '0.5052', 'b1-before': '0.1000', b1: '0.1052' });
    // −0.1 · (−0.1830…) and −0.1 · (−0.2835…)
    expect(labels).toMatchObject({ 'w2-step': '+0.0183', 'b2-step': '+0.0283', 'w1-step': '+0.0052', 'b1-step': '+0.0052' });
    expect(labels.note).toContain('a₁ = 0.645656…, ŷ = 0.716525…');
    expect(labels.note).toContain('ŷ ≈ 0.7166');
    expect(labels.note).toContain('L ≈ 0.0401');
    expect(labels.note).toContain('∂L/∂b₂ ≈ −0.2834');
  });

  it('numbers later steps and starts them from the updated parameters, without the note', async () => {
    const run = new LessonRun();
    await run.next();
    const two = await run.next();
    expect(lessonLabels(two, 'forward')).toMatchObject({ phase: 'Step 2 · Forward pass', w1: '0.5052', b1: '0.1052', w2: '0.8183', b2: '0.2283' });
    expect(lessonLabels(two, 'update').note).toBeUndefined();
    const h = byHand(figures(two).before);
    expect(lessonLabels(two, 'forward').yhat).toBe(h.yHat.toFixed(4));
  });

  it('writes every phase’s numbers with four decimals and a typographic minus', async () => {
    const frame = await new LessonRun().next();
    for (const phase of LESSON_PHASES) {
      const labels = lessonLabels(frame, phase);
      for (const [key, text] of Object.entries(labels)) {
        if (key === 'phase' || key === 'explain' || key === 'note') continue;
        expect(text, key).toMatch(/^[−+]?\d\.\d{4}$/);
      }
    }
  });
});

describe('lessonNumber', () => {
  it('is toFixed(4) with U+2212 for a minus, whatever the locale', () => {
    expect(lessonNumber(-0.18301)).toBe('\u22120.1830');
    expect(lessonNumber(0.645656)).toBe('0.6457');
    expect(lessonNumber(1234.5)).toBe('1234.5000');
    expect(lessonNumber(0.0183, 'always')).toBe('+0.0183');
  });

  it('drops the sign of a value that rounds to zero and dashes what is not a number', () => {
    expect(lessonNumber(-0.00001)).toBe('0.0000');
    expect(lessonNumber(0, 'always')).toBe('0.0000');
    expect(lessonNumber(Number.NaN)).toBe('–');
  });
});

describe('wrapLines', () => {
  it('breaks at spaces within the width, and the lines joined give the text', () => {
    const text = 'Forward: each node computes its value from the one before and keeps it for the backward pass.';
    const lines = wrapLines(text, 30);
    expect(lines.join('')).toBe(text);
    expect(Math.max(...lines.map((l) => l.trimEnd().length))).toBeLessThanOrEqual(30);
    expect(lines).toEqual(['Forward: each node computes ', 'its value from the one before ', 'and keeps it for the backward ', 'pass.']);
  });

  it('keeps a formula on one line and gives a long word a line of its own', () => {
    expect(wrapLines('each parameter steps, w ← w − α·∂L/∂w. Then', 20)).toEqual(['each parameter ', 'steps, ', 'w ← w − α·∂L/∂w. ', 'Then']);
    expect(wrapLines('a abcdefghij b', 5)).toEqual(['a ', 'abcdefghij ', 'b']);
  });
});
