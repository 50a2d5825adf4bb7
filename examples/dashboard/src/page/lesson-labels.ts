import type { Walkthrough } from '@gradstream/trainer';
import { LESSON_PHASES, type LessonFrame, type LessonPhase } from '../shared/lesson-frame.js';

/**
 * The texts the lesson drawing shows, by name (each is drawn with `data-testid="lesson-<name>"`):
 * the caption and explanation, the forward values, the backward figures and the update.
 */
export type LessonLabelKey =
  | 'phase'
  | 'explain'
  | 'note'
  // forward: the sample, each node's value, the parameters (before the step; after it in the update)
  | 'x'
  | 'y'
  | 'z1'
  | 'a1'
  | 'yhat'
  | 'loss'
  | 'w1'
  | 'b1'
  | 'w2'
  | 'b2'
  // backward: the gradient signal on each edge, σ′(z₁), each parameter's gradient
  | 'dyhat'
  | 'da1'
  | 'dz1'
  | 'sigma'
  | 'dw1'
  | 'db1'
  | 'dw2'
  | 'db2'
  // update: each parameter's value before the step and the step −α·∂L/∂w
  | 'w1-before'
  | 'b1-before'
  | 'w2-before'
  | 'b2-before'
  | 'w1-step'
  | 'b1-step'
  | 'w2-step'
  | 'b2-step';

/** The labels to show; a key that is absent is hidden (its phase is not reached yet). */
export type LessonLabels = Partial<Record<LessonLabelKey, string>>;

const MINUS = '\u2212';

/**
 * A number to 4 decimals with a typographic minus, the same in every locale (no `toLocaleString`).
 * A value that rounds to zero has no sign; one that is not a number shows as a dash.
 */
export function lessonNumber(v: number, sign: 'minus' | 'always' = 'minus'): string {
  if (!Number.isFinite(v)) return '–';
  const digits = Math.abs(v).toFixed(4);
  if (digits === '0.0000') return digits;
  if (v < 0) return MINUS + digits;
  return sign === 'always' ? `+${digits}` : digits;
}

const EXPLAIN: Record<LessonPhase, string> = {
  forward: 'Forward: each node computes its value from the one before and keeps it for the backward pass.',
  backward:
    'Backward: the gradient signal ∂L/∂· flows from L back to x. Each node multiplies it by its local derivative; ' +
    'a parameter’s gradient is the signal at its node times what the parameter multiplies (x, a₁, or 1 for a bias).',
  update: 'Update: each parameter steps against its gradient, w ← w − α·∂L/∂w. The next step starts from these values.',
};

const TITLE: Record<LessonPhase, string> = { forward: 'Forward pass', backward: 'Backward pass', update: 'Update' };

/**
 * Every text of the lesson drawing for one step shown up to `phase`: the forward values in every
 * phase, the backward figures from the backward phase on, the update in the update phase. In the
 * update the parameters show their values after the step (with the values before under
 * `w1-before` …); before it, the values the step started from. Numbers have 4 decimals.
 *
 * The frame comes from the lesson's network (nodes `linear_1`, `sigmoid_1`, `linear_2`, `mse_1`);
 * a figure it lacks shows as a dash.
 */
export function lessonLabels(frame: LessonFrame, phase: LessonPhase): LessonLabels {
  const w = frame.walkthrough;
  const reached = (p: LessonPhase): boolean => LESSON_PHASES.indexOf(phase) >= LESSON_PHASES.indexOf(p);
  const node = (name: string) => w.nodes.find((n) => n.name === name);
  const param = (id: string) => w.params.find((p) => p.id === id);
  const value = (name: string): number => node(name)?.value.values[0] ?? Number.NaN;
  const signal = (name: string): number => node(name)?.signal.values[0] ?? Number.NaN;
  const ids = { w1: 'linear_1.weight', b1: 'linear_1.bias', w2: 'linear_2.weight', b2: 'linear_2.bias' } as const;
  const lr = typeof w.optimizer['lr'] === 'number' ? w.optimizer['lr'] : Number.NaN;

  const labels: LessonLabels = {
    phase: `Step ${frame.step} · ${TITLE[phase]}${phase === 'update' ? ` (α = ${String(lr)})` : ''}`,
    explain: EXPLAIN[phase],
    x: lessonNumber(w.x[0] ?? Number.NaN),
    y: lessonNumber(w.y[0] ?? Number.NaN),
    z1: lessonNumber(value('linear_1')),
    a1: lessonNumber(value('sigmoid_1')),
    yhat: lessonNumber(value('linear_2')),
    loss: lessonNumber(w.loss),
  };
  for (const [key, id] of Object.entries(ids) as [keyof typeof ids, string][]) {
    const p = param(id);
    labels[key] = lessonNumber((phase === 'update' ? p?.after[0] : p?.before[0]) ?? Number.NaN);
    if (reached('backward')) labels[`d${key}` as const] = lessonNumber(p?.gradient[0] ?? Number.NaN);
    if (reached('update')) {
      labels[`${key}-before` as const] = lessonNumber(p?.before[0] ?? Number.NaN);
      labels[`${key}-step` as const] = lessonNumber(-lr * (p?.gradient[0] ?? Number.NaN), 'always');
    }
  }
  if (reached('backward')) {
    labels.dyhat = lessonNumber(signal('linear_2'));
    labels.da1 = lessonNumber(signal('sigmoid_1'));
    labels.dz1 = lessonNumber(signal('linear_1'));
    labels.sigma = lessonNumber(node('sigmoid_1')?.local[0]?.values[0] ?? Number.NaN);
  }
  if (phase === 'update' && frame.step === 1) labels.note = roundingNote(w);
  return labels;
}

/** Where the lesson's hand-worked step 1 differs from the exact figures, and why. */
function roundingNote(w: Walkthrough): string {
  const exact = (name: string): string => (w.nodes.find((n) => n.name === name)?.value.values[0] ?? Number.NaN).toFixed(6);
  return (
    `The values here are exact (a₁ = ${exact('sigmoid_1')}…, ŷ = ${exact('linear_2')}…). ` +
    `The lesson rounds a₁ to 0.6457 before reusing it, so it shows ŷ ≈ 0.7166, ∂L/∂ŷ = ∂L/∂b₂ ≈ ${MINUS}0.2834 ` +
    `and ∂L/∂a₁ ≈ ${MINUS}0.2267, and L ≈ 0.0401 because it cuts ½·0.2834² = 0.04016 short. The updated parameters agree with the lesson.`
  );
}

/** Signs that keep their neighbours on their line, so `w ← w − α·∂L/∂w` is never broken up. */
const OPERATORS = new Set(['=', '≈', '←', '→', '−', '+', '·']);

/**
 * Breaks a text into lines of at most `width` characters at spaces, but not on either side of an
 * operator (`=`, `≈`, `←`, `−` …), so a formula stays on one line; a longer piece gets a line of
 * its own. Every line but the last keeps its trailing space, so the lines joined give the text.
 */
export function wrapLines(text: string, width: number): string[] {
  const pieces: string[] = [];
  let glue = false;
  for (const word of text.split(' ')) {
    const operator = OPERATORS.has(word);
    if (pieces.length > 0 && (glue || operator)) pieces[pieces.length - 1] += ` ${word}`;
    else pieces.push(word);
    glue = operator;
  }
  const lines: string[] = [];
  let line = '';
  for (const piece of pieces) {
    if (line !== '' && line.length + piece.length > width) {
      lines.push(line);
      line = '';
    }
    line += `${piece} `;
  }
  lines.push(line.trimEnd());
  return lines;
}
