import { GradstreamError, createRegistry, gradcheck } from '@gradstream/graph';
import { builtinOps } from '@gradstream/ops';
import { TARGET_LOSS, sineMse, swishNet, swishRegistry, train } from './network.js';
import { formatGradcheck, formatRoundTrip } from './report.js';
import { loadIn, saveAndReload } from './round-trip.js';
import { swishOp } from './swish.js';

console.log('A custom op: learnable-scale swish y = x·σ(β ⊙ x), one β per feature (β starts at 1)\n');
console.log(formatGradcheck(gradcheck(swishOp, { config: { features: 4 }, inputShapes: [[6, 4]], seed: 1 })));

const registry = swishRegistry();
const model = swishNet(registry);
const { losses, optimizer } = await train(model);
const reached = losses.findIndex((l) => l < TARGET_LOSS) + 1;
const beta = model.parameters().find((p) => p.id === 'swish_1.beta')?.value.data ?? [];
console.log(`\nTrained 1-16-1 (swish hidden layer) on y = sin(x), 64 points, ${losses.length} full-batch Adam steps:`);
console.log(`  loss (½·mean (ŷ − y)²): ${(losses[0] ?? Number.NaN).toExponential(3)} at step 1, first below ${TARGET_LOSS} at step ${reached}, ${(losses.at(-1) ?? Number.NaN).toExponential(3)} at the end`);
console.log(`  MSE after training: ${sineMse(model).toExponential(3)}`);
console.log(`  learnt β: ${Array.from(beta, (b) => b.toFixed(2)).join(' ')}\n`);

console.log(formatRoundTrip(await saveAndReload(model, optimizer, registry)));

const failure = await loadIn(model, createRegistry(builtinOps));
const why = failure instanceof GradstreamError ? `${failure.code}: ${failure.message.replace(/^.*?\.json: /, '')}` : 'it loaded';
console.log(`\nLoading the same checkpoint in a registry of the built-in ops only fails:\n  ${why.replace(/\n/g, '\n  ')}`);
