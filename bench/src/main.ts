import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FULL, QUICK, runBench } from './bench.js';
import { formatReport } from './report.js';
import { writeJsonAtomic } from './results.js';

const USAGE = `usage: pnpm bench [--quick] [--out FILE]

  --quick      fewer, shorter repetitions (a smoke run, under a minute)
  --out FILE   where to write the JSON results
               (default bench/results/latest.json; with --quick, bench/results/quick.json)`;

const args = (() => {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
})();

if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

// A smoke run writes beside the full results, never over them.
const defaultOut = new URL(args.quick ? '../results/quick.json' : '../results/latest.json', import.meta.url);
const out = args.out ?? fileURLToPath(defaultOut);
const started = performance.now();
const result = await runBench(args.quick ? QUICK : FULL, (line) => console.error(`… ${line}`));
console.log(formatReport(result));
writeJsonAtomic(out, result);
console.log(`\nwrote ${out} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
