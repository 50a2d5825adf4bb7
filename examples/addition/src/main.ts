import { backendSummary } from '@gradstream/graph';
import { progress } from '@gradstream/example-digits';
import { parseAdditionArgs, type AdditionArgs } from './args.js';
import { answerText, encodeQuestion, INPUT_CHARS, type AdditionFormat } from './data.js';
import { QUICK, trainAddition, type TrainAdditionOptions } from './train.js';

let args: AdditionArgs;
try {
  args = parseAdditionArgs(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const base: TrainAdditionOptions = args.quick ? QUICK : {};
const settings: TrainAdditionOptions = args.epochs === undefined ? base : { ...base, epochs: args.epochs };
const digits = settings.digits ?? 3;
/** Held-out sums printed with the model's answers, and most wrong answers printed besides. */
const SHOWN = 8;

console.log(`Addition of two ${digits}-digit numbers written as characters, learned by a GRU, scored on sums it never saw.`);
const started = performance.now();
const result = await trainAddition({ ...settings, report: progress() });
const total = (performance.now() - started) / 1000;
const { format, problems, answers } = result;
const right = (i: number): boolean => {
  const p = problems.test[i];
  return p !== undefined && answers[i] === p.a + p.b;
};

const show = (i: number): string => {
  const p = problems.test[i];
  if (p === undefined) return '';
  const given = answers[i] ?? NaN;
  const reads = encodeQuestion(p, format).map((id) => INPUT_CHARS[id]).join('');
  const wrote = Number.isNaN(given) ? '(a blank)' : answerText({ a: given, b: 0 }, format);
  const sum = `${String(p.a).padStart(digits)} + ${String(p.b).padStart(digits)} = ${Number.isNaN(given) ? '?' : String(given).padStart(digits + 1)}`;
  const mark = right(i) ? 'right' : `wrong, ${p.a + p.b}`;
  return `  ${sum}  ${mark.padEnd(13)} (reads ${reads}, writes ${wrote})`;
};

const orderNote = (f: AdditionFormat): string => ((f.reverse ?? true) ? ', every number least significant digit first' : '');
console.log(`\nSome held-out sums and the model's answers (it reads the question${orderNote(format)}):`);
for (let i = 0; i < SHOWN; i++) console.log(show(i));
const wrong = problems.test.map((_, i) => i).filter((i) => !right(i));
const more = wrong.filter((i) => i >= SHOWN);
if (more.length > 0) {
  console.log(`\n${more.length <= SHOWN ? 'Wrong answers among the other held-out sums' : `The first ${SHOWN} of ${more.length} wrong answers among the other held-out sums`}:`);
  for (const i of more.slice(0, SHOWN)) console.log(show(i));
}

const hits = problems.test.length - wrong.length;
console.log(`\nExact answers: ${(100 * result.exact).toFixed(1)}% (${hits} / ${problems.test.length}) of held-out sums, none of them among the ${problems.train.length.toLocaleString('en-US')} trained on.`);
console.log(
  `${result.epochs} epochs in ${result.seconds.toFixed(1)} s of training (${total.toFixed(1)} s in all with drawing the sums and scoring) ` +
    `on ${backendSummary(result.model.backend)}.`,
);
