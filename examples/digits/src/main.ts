import { DIGIT_COUNT } from '@gradstream/datasets/digits';
import { backendSummary } from '@gradstream/graph';
import { parseDigitsArgs, type DigitsArgs } from './args.js';
import { backendOf } from './backend.js';
import { formatConfusion } from './confusion.js';
import { progress } from './progress.js';
import { trainDigits } from './train.js';

let args: DigitsArgs;
try {
  args = parseDigitsArgs(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const backend = await backendOf(args);
const train = args.quick ? 2000 : 8000;
const test = 2000;
const epochs = args.epochs ?? (args.quick ? 2 : 16);

console.log(`Handwritten digits: ${train} training and ${test} held-out images of the ${DIGIT_COUNT} in the mnist package.`);
const started = performance.now();
const result = await trainDigits({ train, test, epochs, profile: args.profile, report: progress({ samplesPerEpoch: train }), ...backend });
const total = (performance.now() - started) / 1000;

console.log(`\nHeld-out accuracy: ${(100 * result.accuracy).toFixed(2)}% of ${result.testSamples} digits never trained on.`);
console.log(`\nConfusion matrix (rows: true digit, columns: predicted):\n${formatConfusion(result.confusion)}`);
console.log(
  `\n${result.epochs} epochs on ${result.trainSamples} digits in ${result.seconds.toFixed(1)} s of training ` +
    `(${result.samplesPerSecond.toFixed(0)} samples/s; ${total.toFixed(1)} s in all with loading and scoring) ` +
    `on ${backendSummary(result.model.backend)}.`,
);
if (result.profile !== undefined) {
  const rows = Object.entries(result.profile).map(([node, t]) => [node, t.forwardMs + t.backwardMs, t.forwardMs, t.backwardMs] as const);
  const sum = rows.reduce((a, r) => a + r[1], 0);
  console.log('\nWhere the time went (ms: total = forward + backward):');
  for (const [node, all, fwd, bwd] of rows.sort((a, b) => b[1] - a[1])) {
    console.log(`  ${node.padEnd(24)} ${all.toFixed(0).padStart(7)} = ${fwd.toFixed(0).padStart(6)} + ${bwd.toFixed(0).padStart(6)}  (${((100 * all) / sum).toFixed(1)}%)`);
  }
}
