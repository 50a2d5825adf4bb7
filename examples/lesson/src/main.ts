import { lessonModel, lessonStep, trainToConvergence, LESSON } from './lesson.js';

const f4 = (v: number): string => v.toFixed(4);
const model = lessonModel();
const s = await lessonStep(model);

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

console.log('The lesson\'s network: x → z₁ = w₁x + b₁ → a₁ = σ(z₁) → ŷ = w₂a₁ + b₂ → L = ½(ŷ − y)²');
console.log(`x = ${LESSON.x}, y = ${LESSON.y}, w₁ = ${LESSON.w1}, b₁ = ${LESSON.b1}, w₂ = ${LESSON.w2}, b₂ = ${LESSON.b2}, α = ${LESSON.lr}`);
rows.forEach(([name, how, value, marked], i) => {
  const title = section(i);
  if (title !== undefined) console.log(`\n${title}`);
  console.log(`  ${name.padEnd(7)} = ${how.padEnd(22)} ${f4(value).padStart(8)}${marked ? ' †' : ''}`);
});
console.log(
  `\n† Computed exactly (a₁ = ${s.a1.toFixed(6)}…, ŷ = ${s.yHat.toFixed(6)}…). The lesson shows ŷ ≈ 0.7166, L ≈ 0.0401,` +
    '\n  ∂L/∂ŷ = ∂L/∂b₂ ≈ -0.2834 and ∂L/∂a₁ ≈ -0.2267 because it rounds a₁ to 0.6457 before reusing it.' +
    '\n  The updated parameters agree with the lesson exactly.',
);

const last = await trainToConvergence(model);
console.log(`\nTrained to convergence: L = ${last.loss.toExponential(3)} after ${last.step + 1} steps of SGD (α = ${LESSON.lr}).`);
