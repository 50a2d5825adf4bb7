import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FULL, QUICK, runBench } from './bench.js';
import { formatReport } from './report.js';
import { writeJsonAtomic } from './results.js';
import { webgpuMain } from './webgpu-main.js';

const USAGE = `usage: pnpm bench [--quick] [--backend cpu|webgpu] [--out FILE]

  --quick          fewer, shorter repetitions (a smoke run: under a minute on the CPU,
                   under two with --backend webgpu on SwiftShader)
  --backend cpu    the default: gradstream's CPU backends against TF.js (cpu, wasm) and brain.js
  --backend webgpu gradstream's WebGPU backend against TF.js's webgpu backend (matmul, mlp, cnn);
                   without a GPU it re-runs itself on SwiftShader, a CPU emulation: only the
                   equality checks mean anything there
  --out FILE       where to write the JSON results (default bench/results/latest.json; with
                   --quick, quick.json; with --backend webgpu, webgpu.json or webgpu-quick.json)`;

const args = (() => {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        backend: { type: 'string', default: 'cpu' },
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
if (args.backend !== 'cpu' && args.backend !== 'webgpu') {
  console.error(`--backend: expected cpu or webgpu, got ${JSON.stringify(args.backend)}\n\n${USAGE}`);
  process.exit(2);
}

const log = (line: string): void => console.error(`… ${line}`);
if (args.backend === 'webgpu') {
  process.exitCode = await webgpuMain(args.quick, args.out, log);
} else {
  // A smoke run writes beside the full results, never over them.
  const defaultOut = new URL(args.quick ? '../results/quick.json' : '../results/latest.json', import.meta.url);
  const out = args.out ?? fileURLToPath(defaultOut);
  const started = performance.now();
  const result = await runBench(args.quick ? QUICK : FULL, log);
  console.log(formatReport(result));
  writeJsonAtomic(out, result);
  console.log(`\nwrote ${out} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
