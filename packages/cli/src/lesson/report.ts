import { LESSON, type LessonStep } from './lesson.js';

const f4 = (v: number): string => v.toFixed(4);

/**
 * The lesson's worked step as a table, computed values shown to 4 decimals: the forward values,
 * the gradient signal from L back to x, the updated parameters. Rows where the lesson's
 * hand-worked figures differ (it rounds a₁ before reusing it) carry a † and a footnote.
 *
 * @example
 * ```ts
 * import { formatLessonStep, lessonStep } from '@gradstream/cli';
 * console.log(formatLessonStep(await lessonStep()));
 * ```
 */
export function formatLessonStep(s: LessonStep): string {
  const lines: string[] = [];
  // Rows marked † differ from the lesson's hand-worked figures in the 4th decimal; see the footnote.
  const rows: [string, string, number, boolean?][] = [
    ['z₁', 'w₁·x + b₁', s.z1],
    ['a₁', 'σ(z₁)', s.a1],
    ['ŷ', 'w₂·a₁ + b₂', s.yHat, true],
    ['L', '½(ŷ − y)²', s.loss, true],
    ['∂L/∂ŷ', 'ŷ − y', s.dYHat, true],
    ['∂L/∂w₂', '∂L/∂ŷ · a₁', s.dW2],
    ['∂L/∂b₂', '∂L/∂ŷ', s.dB2, true],
    ['∂L/∂a₁', '∂L/∂ŷ · w₂', s.dA1, true],
    ['σ′(z₁)', 'a₁·(1 − a₁)', s.sigmoidPrime],
    ['∂L/∂w₁', '∂L/∂a₁ · σ′(z₁) · x', s.dW1],
    ['∂L/∂b₁', '∂L/∂a₁ · σ′(z₁)', s.dB1],
    ['w₂', 'w₂ − α·∂L/∂w₂', s.w2],
    ['b₂', 'b₂ − α·∂L/∂b₂', s.b2],
    ['w₁', 'w₁ − α·∂L/∂w₁', s.w1],
    ['b₁', 'b₁ − α·∂L/∂b₁', s.b1],
  ];
  const section = (i: number): string | undefined => ({ 0: 'Forward pass', 4: 'Backward pass (the gradient signal from L back to x)', 11: `Update, α = ${LESSON.lr}` })[i];

  lines.push('The lesson\'s network: x → z₁ = w₁x + b₁ → a₁ = σ(z₁) → ŷ = w₂a₁ + b₂ → L = ½(ŷ − y)²');
  lines.push(`x = ${LESSON.x}, y = ${LESSON.y}, w₁ = ${LESSON.w1}, b₁ = ${LESSON.b1}, w₂ = ${LESSON.w2}, b₂ = ${LESSON.b2}, α = ${LESSON.lr}`);
  rows.forEach(([name, how, value, marked], i) => {
    const title = section(i);
    if (title !== undefined) lines.push(`\n${title}`);
    lines.push(`  ${name.padEnd(7)} = ${how.padEnd(22)} ${f4(value).padStart(8)}${marked ? ' †' : ''}`);
  });
  lines.push(
    `\n† Computed exactly (a₁ = ${s.a1.toFixed(6)}…, ŷ = ${s.yHat.toFixed(6)}…). The lesson shows ŷ ≈ 0.7166,` +
      '\n  ∂L/∂ŷ = ∂L/∂b₂ ≈ -0.2834 and ∂L/∂a₁ ≈ -0.2267 because it rounds a₁ to 0.6457 before reusing it,' +
      '\n  and L ≈ 0.0401 because it cuts ½·0.2834² = 0.04016 short instead of rounding it.' +
      '\n  The updated parameters agree with the lesson exactly.',
  );
  return lines.join('\n');
}
