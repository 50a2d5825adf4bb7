// Regenerates the figures of docs/guides/reliability.md: runs the reliability tests at their
// on-demand scale (10,000 fuzz cases per property, 200 kills, the full soak), collects what each
// test measured (test/support/figures.ts), and writes the tables between the guide's markers.
//
//   pnpm run reliability                      # the full run (tens of minutes on 2 cores)
//   pnpm run reliability -- --fuzz-runs 1000  # a quicker one
//
// The guide is rewritten only when every test passed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'fuzz-runs': { type: 'string', default: '10000' },
    'kill-runs': { type: 'string', default: '200' },
    'soak-scale': { type: 'string', default: '1' },
  },
});

const root = new URL('../../', import.meta.url).pathname;
const guide = join(root, 'docs/guides/reliability.md');
const BEGIN = '<!-- figures:begin (pnpm run reliability writes this part) -->';
const END = '<!-- figures:end -->';

/** The tests whose figures the guide reports. */
const files = [
  'test/fuzz.test.ts',
  'test/fuzz-graphs.test.ts',
  'test/fuzz-kernels.test.ts',
  'test/fuzz-fit.test.ts',
  'test/kill-checkpoint.test.ts',
  'test/soak.test.ts',
  'test/untrusted-input.test.ts',
  'packages/trainer/test/resume.test.ts',
  'packages/trainer/test/memory.test.ts',
  'packages/graph/test/memory.test.ts',
  'packages/cli/test/memory.test.ts',
  'packages/graph/test/input-limits.test.ts',
  'packages/cli/test/input-limits.test.ts',
  'packages/graph/test/wasm-ceiling.test.ts',
  'packages/graph/test/checkpoint-limits.test.ts',
].filter((f) => existsSync(join(root, f)));

const work = mkdtempSync(join(tmpdir(), 'gradstream-reliability-'));
const figuresFile = join(work, 'figures.jsonl');
const reportFile = join(work, 'vitest.json');
const started = Date.now();
const run = spawnSync('npx', ['vitest', 'run', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    GRADSTREAM_FIGURES: figuresFile,
    GRADSTREAM_TEST_REPORT: reportFile,
    GRADSTREAM_FUZZ_RUNS: values['fuzz-runs'],
    GRADSTREAM_KILL_RUNS: values['kill-runs'],
    GRADSTREAM_SOAK_SCALE: values['soak-scale'],
  },
});
const minutes = (Date.now() - started) / 60_000;

const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined;
const figures = existsSync(figuresFile)
  ? readFileSync(figuresFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l))
  : [];
rmSync(work, { recursive: true, force: true });

if (run.status !== 0 || report === undefined || report.numFailedTests > 0) {
  console.error(`reliability: the tests did not all pass (exit ${run.status}); the guide is left as it was`);
  process.exit(1);
}

const n = (v) => Number(v).toLocaleString('en-US');
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
const byKind = (kind) => figures.filter((f) => f.kind === kind);
const lines = [];
const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
lines.push(
  `Measured on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}; ` +
    `${n(report.numPassedTests)} tests passed in ${minutes.toFixed(1)} minutes (fuzz runs ${n(values['fuzz-runs'])}, kill runs ${n(values['kill-runs'])}, soak scale ${values['soak-scale']}).`,
  '',
);

const fuzz = byKind('fuzz');
if (fuzz.length > 0) {
  const total = fuzz.reduce((s, f) => s + f.cases, 0);
  lines.push(`**Fuzzing** — ${n(total)} cases over ${fuzz.length} properties, none failed (seed ${fuzz[0].seed}):`, '');
  lines.push('| property | file | cases |', '| --- | --- | ---: |');
  for (const f of fuzz) lines.push(`| ${f.target.replace(/\|/g, '\\|')} | ${f.file} | ${n(f.cases)}${f.interrupted ? ' (time limit)' : ''} |`);
  lines.push('');
}

const kills = byKind('kill');
const leftovers = byKind('leftover')[0];
for (const k of kills) {
  lines.push(
    `**Checkpoint writes killed** — ${n(k.survived)} of ${n(k.runs)} SIGKILLs survived in ${k.seconds} s: ${n(k.midWrite)} landed during a write ` +
      `(${n(k.withTemp)} of them left its temporary file behind, ${n(k.afterRename)} came after its rename), ${n(k.runs - k.midWrite)} between writes. ` +
      `The file on disk always loaded, checksum verified, as the last completed or the in-flight checkpoint` +
      `${leftovers === undefined ? '' : `; ${n(leftovers.temporaryFiles)} temporary files were left beside it, and later saves and loads went on around them`}.`,
    '',
  );
}

const soaks = byKind('soak');
if (soaks.length > 0) {
  lines.push('**Long runs** — heap after garbage collection, sampled through the run:', '');
  lines.push('| run | steps | heap at start | heap at end | growth | bound | time |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of soaks) {
    lines.push(`| ${s.name} | ${n(s.steps)} | ${mb(s.heapStart)} | ${mb(s.heapEnd)} | ${mb(s.growth)} | ${mb(s.bound)} | ${(s.ms / 1000).toFixed(1)} s |`);
  }
  lines.push('');
}

const refusals = byKind('refusal');
if (refusals.length > 0) {
  lines.push('**Refusals** — a linear layer 10⁹ units wide (12 GB of parameters) and a 1 TiB file, each refused with `TOO_LARGE` before anything is allocated or read (in a process whose validators are compiled; a first `fromSpec` or `loadCheckpoint` also compiles the validator of the ops its spec names):', '');
  lines.push('| entry point | time |', '| --- | ---: |');
  for (const r of refusals) lines.push(`| ${/^[\w.()]+$/.test(r.entry) ? `\`${r.entry}\`` : r.entry} | ${r.ms.toFixed(2)} ms |`);
  lines.push('');
}

const memory = byKind('memory');
if (memory.length > 0) {
  lines.push('**Memory given back** (test/soak.test.ts):', '');
  for (const f of memory) lines.push(`- ${f.text}`);
  lines.push('');
}

const other = figures.filter((f) => !['fuzz', 'kill', 'leftover', 'soak', 'refusal', 'memory'].includes(f.kind));
if (other.length > 0) {
  lines.push('**Other measurements**:', '');
  for (const f of other) {
    const { target, file, kind, ...rest } = f;
    lines.push(`- ${target} (${file}): ${Object.entries(rest).map(([k, v]) => `${k} ${typeof v === 'number' ? n(v) : v}`).join(', ')}`);
  }
  lines.push('');
}

const text = readFileSync(guide, 'utf8');
const begin = text.indexOf(BEGIN);
const end = text.indexOf(END);
if (begin < 0 || end < begin) {
  console.error(`reliability: ${guide} has no figures markers`);
  process.exit(1);
}
writeFileSync(guide, `${text.slice(0, begin + BEGIN.length)}\n${lines.join('\n')}\n${text.slice(end)}`);
console.log(`reliability: figures written to docs/guides/reliability.md (${figures.length} figures)`);
