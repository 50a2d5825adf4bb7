import { GradstreamError, Rng } from '@gradstream/tensor';

/**
 * The characters a question is written in; a character's id is its index. `=` marks the steps at
 * which the model writes the answer (one per answer digit), after the question.
 */
export const INPUT_CHARS = '0123456789+=';
/** Input ids: the ten digits are 0…9. */
export const PLUS = 10;
export const ANSWER_SLOT = 11;
/** The output classes: a digit 0…9, or {@link BLANK} at the question's own steps. */
export const OUTPUT_CLASSES = 11;
export const BLANK = 10;

/** How sums are written. */
export interface AdditionFormat {
  /** Digits of each operand: `a, b ∈ [0, 10^digits)` (3 for the full example). */
  readonly digits: number;
  /**
   * Write every number least significant digit first — the operands in the question and the sum
   * in the answer —, so the answer comes out in the order a carry travels. A well-known trick for
   * sequence models learning arithmetic (default true).
   */
  readonly reverse?: boolean;
}

/** One sum to learn or to be asked: `a + b`. */
export interface Pair {
  readonly a: number;
  readonly b: number;
}

/** Characters of the question, e.g. `007+045` for 3 digits (each operand zero-padded to `digits`). */
export const questionLength = (f: AdditionFormat): number => 2 * f.digits + 1;
/** Characters of the answer: the sum zero-padded to `digits + 1` (up to 1998 for 3 digits: 4). */
export const answerLength = (f: AdditionFormat): number => f.digits + 1;
/** Steps the model reads: the question, then one answer slot per answer character. */
export const stepsOf = (f: AdditionFormat): number => questionLength(f) + answerLength(f);

/** `n` as `width` digits, zero-padded on the left, reversed when the format says so. */
function digitsOf(n: number, width: number, reverse: boolean): string {
  const s = String(n).padStart(width, '0');
  return reverse ? [...s].reverse().join('') : s;
}

/** The question as the model reads it, e.g. `'123+456'` (reversed: `'321+654'`). */
export function questionText(p: Pair, f: AdditionFormat): string {
  const reverse = f.reverse ?? true;
  return `${digitsOf(p.a, f.digits, reverse)}+${digitsOf(p.b, f.digits, reverse)}`;
}

/** The answer as the model writes it: `'0579'` for 123 + 456 (reversed: `'9750'`). */
export function answerText(p: Pair, f: AdditionFormat): string {
  return digitsOf(p.a + p.b, answerLength(f), f.reverse ?? true);
}

/** The input ids of one question: its characters, then one {@link ANSWER_SLOT} per answer character. */
export function encodeQuestion(p: Pair, f: AdditionFormat): number[] {
  checkPair(p, f);
  const text = questionText(p, f) + '='.repeat(answerLength(f));
  return [...text].map((c) => INPUT_CHARS.indexOf(c));
}

/** Reads a question back from its ids (the inverse of {@link encodeQuestion}). */
export function decodeQuestion(ids: ArrayLike<number>, f: AdditionFormat): Pair {
  const text = Array.from({ length: questionLength(f) }, (_, t) => INPUT_CHARS[ids[t] as number] ?? '?').join('');
  const [a, b] = text.split('+').map((s) => readNumber(s, f.reverse ?? true));
  return { a: a ?? NaN, b: b ?? NaN };
}

/**
 * The target class of every step, `[steps]`: {@link BLANK} at the question's steps, the answer's
 * digits at the answer slots.
 */
export function encodeAnswer(p: Pair, f: AdditionFormat): number[] {
  checkPair(p, f);
  return [...new Array<number>(questionLength(f)).fill(BLANK), ...[...answerText(p, f)].map(Number)];
}

/**
 * The answer the model gives: the arg-max class of each answer slot in `logits`
 * (`[steps, classes]` from `offset`), read as a number in the format's digit order; `NaN` when a
 * slot's best class is {@link BLANK}.
 */
export function decodeAnswer(logits: ArrayLike<number>, f: AdditionFormat, offset = 0): number {
  let text = '';
  for (let t = questionLength(f); t < stepsOf(f); t++) {
    const c = argmax(logits, offset + t * OUTPUT_CLASSES, OUTPUT_CLASSES);
    if (c === BLANK) return NaN;
    text += String(c);
  }
  return readNumber(text, f.reverse ?? true);
}

/** Inputs and one-hot targets of some sums, packed as `fit` takes them: x `[N·steps]` ids, y `[N·steps·classes]`. */
export interface Encoded {
  readonly x: Float32Array;
  readonly y: Float32Array;
}

/** Packs sums into the model's input ids and one-hot targets. */
export function encodePairs(pairs: readonly Pair[], f: AdditionFormat): Encoded {
  const steps = stepsOf(f);
  const x = new Float32Array(pairs.length * steps);
  const y = new Float32Array(pairs.length * steps * OUTPUT_CLASSES);
  pairs.forEach((p, i) => {
    x.set(encodeQuestion(p, f), i * steps);
    encodeAnswer(p, f).forEach((c, t) => {
      y[(i * steps + t) * OUTPUT_CLASSES + c] = 1;
    });
  });
  return { x, y };
}

/** Options of {@link additionProblems}. */
export interface ProblemOptions extends AdditionFormat {
  /** Training sums, all distinct (default 50,000). */
  readonly train?: number;
  /** Held-out sums, all distinct and none of them a training sum (default 1000). */
  readonly test?: number;
  /** Seed of the draws (default 0). */
  readonly seed?: number;
}

/** Training and held-out sums. */
export interface Problems {
  readonly train: Pair[];
  readonly test: Pair[];
}

/**
 * Draws sums `a + b` with `a, b` uniform in `[0, 10^digits)` from the seeded generator: first the
 * held-out ones, then the training ones, skipping any pair already drawn, so no pair appears twice
 * and none of the held-out pairs is trained on. The order matters (`3+5` and `5+3` are two pairs).
 */
export function additionProblems(options: ProblemOptions): Problems {
  const { digits, train = 50_000, test = 1000, seed = 0 } = options;
  checkDigits(digits);
  const span = 10 ** digits;
  const total = span * span;
  for (const [name, n] of [['train', train], ['test', test]] as const) {
    if (!Number.isInteger(n) || n < 0) throw new GradstreamError('INVALID_OPTION', `additionProblems: ${name} must be a non-negative integer, got ${n}`, { [name]: n });
  }
  // Drawing without repeats slows down as the pairs run out: keep to at most 3/4 of them.
  if (train + test > 0.75 * total) {
    throw new GradstreamError('INVALID_OPTION', `additionProblems: ${train + test} distinct sums asked of ${digits}-digit numbers, but there are only ${total} (at most ${0.75 * total} are drawn)`, {
      train,
      test,
      digits,
    });
  }
  const rng = Rng.fromSeed(seed);
  const seen = new Set<number>();
  const draw = (n: number): Pair[] => {
    const out: Pair[] = [];
    while (out.length < n) {
      const a = rng.int(span);
      const b = rng.int(span);
      const key = a * span + b;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ a, b });
    }
    return out;
  };
  const held = draw(test);
  return { train: draw(train), test: held };
}

function readNumber(s: string, reverse: boolean): number {
  const t = reverse ? [...s].reverse().join('') : s;
  return /^[0-9]+$/.test(t) ? Number(t) : NaN;
}

function argmax(a: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if ((a[offset + j] as number) > (a[offset + best] as number)) best = j;
  return best;
}

function checkDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 1 || digits > 7) {
    throw new GradstreamError('INVALID_OPTION', `addition: digits must be an integer in 1…7, got ${digits}`, { digits });
  }
}

function checkPair(p: Pair, f: AdditionFormat): void {
  checkDigits(f.digits);
  const span = 10 ** f.digits;
  for (const [name, v] of [['a', p.a], ['b', p.b]] as const) {
    if (!Number.isInteger(v) || v < 0 || v >= span) {
      throw new GradstreamError('INVALID_DATA', `addition: ${name} must be an integer in [0, ${span}) for ${f.digits}-digit sums, got ${v}`, { [name]: v });
    }
  }
}
