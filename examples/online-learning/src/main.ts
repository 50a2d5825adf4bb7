import { filter } from 'rxjs';
import { arrivals$, noisyLine } from './line.js';
import { batchRun$, collect, lineModel, onlineRun$, runningLoss } from './online.js';
import { RUNNING_HEADER, formatComparison, formatRunning } from './report.js';

const PACE_MS = 2;
const NOISE = 0.1;
const samples = noisyLine({ samples: 512, noise: NOISE });

console.log(`Online learning: ${samples.length} samples of y = 2x + 1 + noise (σ = ${NOISE}) arrive one every ${PACE_MS} ms;`);
console.log('SGD takes a step on every 8 as they come. Every 8th step:\n');
console.log(RUNNING_HEADER);

const onlineModel = lineModel();
// The printout and the collector subscribe to one run: fit's subscribers share it.
const run$ = onlineRun$(onlineModel, arrivals$(samples, PACE_MS));
runningLoss(8)(run$)
  .pipe(filter((r) => r.step % 8 === 0))
  .subscribe((r) => console.log(formatRunning(r)));
const online = await collect(onlineModel, run$);

const batchModel = lineModel();
const batch = await collect(batchModel, batchRun$(batchModel, samples));
console.log(`\n${formatComparison(online, batch, NOISE)}`);
