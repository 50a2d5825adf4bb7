#!/usr/bin/env node
// Standalone build + correctness + timing harness for assembly/matmul.ts (the packed SIMD128 GEMM).
//
//   node scripts/bench-matmul.mjs            build, check, time (vs TF.js wasm)
//   node scripts/bench-matmul.mjs --check    build and check only
//   node scripts/bench-matmul.mjs --time     build and time only
//   node scripts/bench-matmul.mjs --quick    fewer timing repetitions
//
// The wasm is built into scratch-matmul/ (throwaway). Everything runs in this one process, single
// threaded: the "parts" checks call part 0..P-1 one after the other, each with its own scratch.
//
// Checks: ~134 (m,n,k) shapes from {1,7,33,129,511}³ (thinned) plus k = 0 / k = 1 / m = 0 / n = 0
// and the MLP shapes, × 4 transpose combos × accumulate on/off, at rotating 4-byte skews of a, b,
// out and scratch: error against a float64 reference within the γ_k bound; guard words around out
// and after every scratch region untouched; a and b unchanged; P = 2, 3, 4 bit-identical to P = 1;
// each part alone on a NaN-filled out writes a disjoint set and the sets cover out; sub-block
// products bit-identical to the full product (tile-shape independence).
// Timing: median of 21 samples after warm-up, yours (parts = 1) vs TF.js's wasm backend (1 thread).
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(pkgDir, 'scratch-matmul');
const args = new Set(process.argv.slice(2));
const doCheck = !args.has('--time');
const doTime = !args.has('--check');
const quick = args.has('--quick');

// ---------------------------------------------------------------- build
export const ASC_FLAGS = [
  '-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--enable', 'threads',
  '--importMemory', '--sharedMemory', '--initialMemory', '256', '--maximumMemory', '65536',
];
mkdirSync(outDir, { recursive: true });
const wasmPath = join(outDir, 'matmul.wasm');
execFileSync('npx', ['asc', 'assembly/matmul.ts', ...ASC_FLAGS, '--outFile', wasmPath, '--textFile', join(outDir, 'matmul.wat')], {
  cwd: pkgDir,
  stdio: 'inherit',
});
const module = new WebAssembly.Module(readFileSync(wasmPath));
const imports = WebAssembly.Module.imports(module);
for (const imp of imports) {
  if (!(imp.module === 'env' && (imp.name === 'memory' || imp.name === 'abort'))) throw new Error(`unexpected import ${imp.module}.${imp.name}`);
}
const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort'); } } });
const { matmul, matmulScratchBytes } = instance.exports;
const SCRATCH = matmulScratchBytes();
console.log(`built ${wasmPath} (${readFileSync(wasmPath).length} bytes), imports: ${imports.map((i) => `${i.module}.${i.name}`).join(', ')}`);
console.log(`matmulScratchBytes() = ${SCRATCH} (${(SCRATCH / 1024).toFixed(1)} KiB)`);

// ---------------------------------------------------------------- a bump allocator over the shared memory
const BASE = 1 << 20; // well above the module's (empty) data and stack
let top = BASE;
function reset() { top = BASE; }
/** Allocates `floats` f32 at 16-byte alignment plus `skew` bytes (a multiple of 4), growing memory as needed. */
function alloc(floats, skew = 0) {
  top = ((top + 15) & ~15) + skew;
  const ptr = top;
  top += floats * 4;
  const need = Math.ceil((top + 65536) / 65536);
  const have = memory.buffer.byteLength / 65536;
  if (need > have) memory.grow(need - have);
  return ptr;
}
const f32 = (ptr, len) => new Float32Array(memory.buffer, ptr, len);
const u32 = (ptr, len) => new Uint32Array(memory.buffer, ptr, len);

// deterministic PRNG
let seed = 12345;
function rnd() {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) / (1 << 24) * 2 - 1;
}
function fillRandom(arr) { for (let i = 0; i < arr.length; i++) arr[i] = rnd(); }

// ---------------------------------------------------------------- correctness
const GUARD = 37; // floats of sentinel on each side of out and after each scratch
const SENTINEL = 0x7fc0dead; // a NaN payload no arithmetic produces

function reference(A, B, C0, m, n, k, tA, tB) {
  // float64 op(A)·op(B) (+ C0), and Σ|a||b| (+|c0|) per element for the error bound
  const ref = new Float64Array(m * n), mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, t = 0;
      for (let p = 0; p < k; p++) {
        const x = tA ? A[p * m + i] : A[i * k + p];
        const y = tB ? B[j * k + p] : B[p * n + j];
        s += x * y; t += Math.abs(x * y);
      }
      if (C0) { s += C0[i * n + j]; t += Math.abs(C0[i * n + j]); }
      ref[i * n + j] = s; mag[i * n + j] = t;
    }
  }
  return { ref, mag };
}

function checkAll() {
  const S = [1, 7, 33, 129, 511];
  const combos = [];
  for (const m of S) for (const n of S) for (const k of S) {
    // the full 125 with the big ones thinned: keep all with at most one 511
    const big = [m, n, k].filter((x) => x === 511).length;
    if (big <= 1 || (m === 511 && n === 511 && k === 511)) combos.push([m, n, k]);
  }
  combos.push([5, 9, 0], [64, 128, 0], [1, 1, 0], [13, 17, 1], [64, 10, 1], [3, 300, 1], [0, 5, 5], [5, 0, 5]);
  combos.push([64, 128, 784], [128, 784, 64], [64, 784, 128], [64, 10, 128], [10, 128, 64], [64, 128, 10], [128, 128, 784], [128, 784, 128]);
  combos.push([6, 8, 300], [12, 16, 257], [5, 9, 513], [48, 520, 600], [100, 24, 1100]);
  let worstRatio = 0, worstAbs = 0, worstWhere = '', failures = 0, runs = 0, partRuns = 0;
  const t0 = performance.now();
  let ci = 0;
  for (const [m, n, k] of combos) {
    for (let tc = 0; tc < 4; tc++) {
      const tA = tc & 1, tB = (tc >> 1) & 1;
      reset();
      // skews rotate through the 4-byte alignments
      const aPtr = alloc(m * k, 4 * (ci % 4));
      const bPtr = alloc(k * n, 4 * ((ci + 1) % 4));
      const oPtr = alloc(m * n + 2 * GUARD, 4 * ((ci + 2) % 4)) + GUARD * 4;
      const scr = [];
      for (let t = 0; t < 4; t++) { scr.push(alloc(SCRATCH / 4 + GUARD, 4 * ((ci + t) % 4))); }
      ci++;
      const A = f32(aPtr, m * k), B = f32(bPtr, k * n);
      fillRandom(A); fillRandom(B);
      const Acopy = A.slice(), Bcopy = B.slice();
      const C0 = new Float32Array(m * n); fillRandom(C0);
      const out = () => f32(oPtr, m * n);
      const guardsOk = () => {
        const lo = u32(oPtr - GUARD * 4, GUARD), hi = u32(oPtr + m * n * 4, GUARD);
        for (let g = 0; g < GUARD; g++) if (lo[g] !== SENTINEL || hi[g] !== SENTINEL) return false;
        for (const s of scr) { const sg = u32(s + SCRATCH, GUARD); for (let g = 0; g < GUARD; g++) if (sg[g] !== SENTINEL) return false; }
        return true;
      };
      u32(oPtr - GUARD * 4, GUARD).fill(SENTINEL); u32(oPtr + m * n * 4, GUARD).fill(SENTINEL);
      for (const s of scr) u32(s + SCRATCH, GUARD).fill(SENTINEL);
      const fail = (msg) => { failures++; if (failures < 20) console.log(`  FAIL m=${m} n=${n} k=${k} tA=${tA} tB=${tB}: ${msg}`); };
      for (const acc of [0, 1]) {
        const { ref, mag } = reference(Acopy, Bcopy, acc ? C0 : null, m, n, k, tA, tB);
        let p1 = null;
        for (const P of [1, 2, 3, 4]) {
          // run all parts, sequentially
          if (acc) out().set(C0); else out().fill(NaN);
          for (let t = 0; t < P; t++) matmul(aPtr, bPtr, oPtr, m, n, k, tA, tB, acc, scr[t], t, P);
          runs++;
          if (!guardsOk()) fail(`guard overwritten (P=${P}, acc=${acc})`);
          const o = out();
          if (P === 1) {
            p1 = new Uint32Array(o.buffer.slice(o.byteOffset, o.byteOffset + o.byteLength));
            // accuracy: |Δ| ≤ γ_{k+1}·Σ|a||b| (+|c0|), γ_j = j·u/(1−j·u), u = 2^-24: the classic bound for
            // a recursively summed dot product in binary32 (the products' rounding included).
            const terms = k + (acc ? 1 : 0);
            const u = 2 ** -24, gamma = (terms * u) / (1 - terms * u);
            for (let e = 0; e < m * n; e++) {
              const d = Math.abs(o[e] - ref[e]);
              const bound = gamma * mag[e];
              if (!(d <= bound)) { fail(`element ${e}: got ${o[e]} want ${ref[e]} |Δ|=${d} bound=${bound}`); break; }
              if (d > worstAbs) worstAbs = d;
              const r = bound > 0 ? d / bound : 0;
              if (r > worstRatio) { worstRatio = r; worstWhere = `m=${m} n=${n} k=${k} tA=${tA} tB=${tB} acc=${acc}`; }
            }
          } else {
            const ob = u32(oPtr, m * n);
            for (let e = 0; e < m * n; e++) if (ob[e] !== p1[e]) { fail(`P=${P} not bit-identical to P=1 at ${e} (acc=${acc})`); break; }
            // every element written by exactly one part: run each part alone over a NaN-filled out
            if (!acc) {
              const owner = new Int8Array(m * n).fill(-1);
              for (let t = 0; t < P; t++) {
                out().fill(NaN);
                matmul(aPtr, bPtr, oPtr, m, n, k, tA, tB, 0, scr[t], t, P);
                partRuns++;
                const o2 = out();
                for (let e = 0; e < m * n; e++) {
                  if (!Number.isNaN(o2[e])) {
                    if (owner[e] !== -1) { fail(`element ${e} written by parts ${owner[e]} and ${t} (P=${P})`); break; }
                    owner[e] = t;
                  }
                }
              }
              const miss = owner.indexOf(-1);
              if (miss >= 0) fail(`element ${miss} written by no part (P=${P})`);
            }
          }
        }
      }
      for (let e = 0; e < A.length; e++) if (f32(aPtr, m * k)[e] !== Acopy[e] && !(Number.isNaN(Acopy[e]))) { fail('A modified'); break; }
      for (let e = 0; e < B.length; e++) if (f32(bPtr, k * n)[e] !== Bcopy[e]) { fail('B modified'); break; }
    }
  }
  // Tile-shape independence: the leading m'×n' block of a product, computed as a product of its own
  // (A's first m' rows, B stored n×k and its first n' rows: both contiguous prefixes), lands in
  // other tiles (edge kernels 1×4 … 4×8 instead of full 4×8 tiles, other k-blocks never, since
  // those depend on k only) and must come out bit-identical.
  let tileChecks = 0, tileFailures = 0;
  for (const [m, n, k] of [[16, 24, 300], [13, 21, 600], [64, 128, 784], [9, 40, 5]]) {
    reset();
    const aPtr = alloc(m * k), bPtr = alloc(n * k), oPtr = alloc(m * n), sPtr = alloc(SCRATCH / 4);
    fillRandom(f32(aPtr, m * k)); fillRandom(f32(bPtr, n * k));
    matmul(aPtr, bPtr, oPtr, m, n, k, 0, 1, 0, sPtr, 0, 1);
    const full = u32(oPtr, m * n).slice();
    for (let m2 = 1; m2 <= m; m2 += 1 + (m2 >> 2)) {
      for (let n2 = 1; n2 <= n; n2 += 1 + (n2 >> 2)) {
        const o2 = alloc(m2 * n2);
        matmul(aPtr, bPtr, o2, m2, n2, k, 0, 1, 0, sPtr, 0, 1);
        tileChecks++;
        const sub = u32(o2, m2 * n2);
        let bad = -1;
        for (let i = 0; i < m2 && bad < 0; i++) for (let j = 0; j < n2; j++) if (sub[i * n2 + j] !== full[i * n + j]) { bad = i * n2 + j; break; }
        if (bad >= 0) { failures++; tileFailures++; if (tileFailures < 5) console.log(`  FAIL tile-shape dependence: ${m2}x${n2} block of ${m}x${n}x${k} differs at ${bad}`); }
      }
    }
  }
  console.log(`correctness: ${combos.length} shapes × 4 transposes × accumulate on/off × P∈{1,2,3,4}: ${runs} products, ${partRuns} single-part runs, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`  worst |Δ| / bound = ${worstRatio.toExponential(3)} (${worstWhere}); worst |Δ| = ${worstAbs.toExponential(3)}`);
  console.log(`  tile-shape independence: ${tileChecks} sub-block products vs the same elements of the full product: ${tileFailures === 0 ? 'all bit-identical' : tileFailures + ' differ'}`);
  console.log(`  bit-identity across P=1..4, partition (each element written by exactly one part), guards, inputs untouched: ${failures === 0 ? 'OK' : failures + ' FAILURES'}`);
  return failures === 0;
}

// ---------------------------------------------------------------- timing
async function timeAll() {
  const require = createRequire(join(pkgDir, '..', '..', 'bench', 'package.json'));
  require('@tensorflow/tfjs');
  const tf = require('@tensorflow/tfjs-core');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  tf.enableProdMode();
  wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + sep);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  console.log(`TF.js ${tf.version_core}, backend ${tf.getBackend()}, simd=${simd}, threads=${wasm.getThreadsCount()}`);

  const shapes = [
    [512, 512, 512, 0, 0], [512, 512, 512, 0, 1], [512, 512, 512, 1, 0], [512, 512, 512, 1, 1],
    [64, 128, 784, 0, 1], [128, 784, 64, 1, 0], [64, 784, 128, 0, 0],
    [64, 10, 128, 0, 1], [10, 128, 64, 1, 0], [64, 128, 10, 0, 0],
    [128, 128, 784, 0, 1], [128, 784, 128, 1, 0],
  ];
  const rows = [];
  for (const [m, n, k, tA, tB] of shapes) {
    reset();
    const aPtr = alloc(m * k), bPtr = alloc(k * n), oPtr = alloc(m * n), scr = alloc(SCRATCH / 4);
    const A = f32(aPtr, m * k), B = f32(bPtr, k * n);
    fillRandom(A); fillRandom(B);
    const flops = 2 * m * n * k;
    // batch calls so one sample lasts ≥ ~2 ms
    const inner = Math.max(1, Math.ceil(2e6 / flops * 10));
    const samples = quick ? 7 : 21;
    const measure = (fn) => {
      for (let w = 0; w < 3; w++) for (let i = 0; i < inner; i++) fn();
      const ts = [];
      for (let s = 0; s < samples; s++) {
        const t = performance.now();
        for (let i = 0; i < inner; i++) fn();
        ts.push((performance.now() - t) / inner);
      }
      ts.sort((x, y) => x - y);
      return ts[ts.length >> 1];
    };
    const mine = measure(() => matmul(aPtr, bPtr, oPtr, m, n, k, tA, tB, 0, scr, 0, 1));
    const ta = tf.tensor2d(A.slice(), tA ? [k, m] : [m, k]);
    const tb = tf.tensor2d(B.slice(), tB ? [n, k] : [k, n]);
    let last;
    const theirs = measure(() => { const c = tf.matMul(ta, tb, !!tA, !!tB); last = c.dataSync(); c.dispose(); });
    // TF.js sends only untransposed products to XNNPACK (transposed ones go to a scalar loop), so
    // for reference also time XNNPACK itself on the same m, n, k: operands transposed beforehand,
    // outside the timing.
    let xnn = theirs;
    if (tA || tB) {
      const ta2 = tA ? tf.transpose(ta) : ta, tb2 = tB ? tf.transpose(tb) : tb;
      xnn = measure(() => { const c = tf.matMul(ta2, tb2); c.dataSync(); c.dispose(); });
      if (tA) ta2.dispose();
      if (tB) tb2.dispose();
    }
    // the two must agree (sanity)
    const o = f32(oPtr, m * n);
    let md = 0, mx = 0;
    for (let e = 0; e < m * n; e++) { md = Math.max(md, Math.abs(o[e] - last[e])); mx = Math.max(mx, Math.abs(last[e])); }
    ta.dispose(); tb.dispose();
    const g1 = flops / mine / 1e6, g2 = flops / theirs / 1e6;
    rows.push({ shape: `${m}x${n}x${k} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`, mine: g1, tfjs: g2, ratio: g1 / g2, us: mine * 1e3, tus: theirs * 1e3, md: md / (mx || 1), xnn: flops / xnn / 1e6 });
  }
  console.log('\nmedian GFLOP/s (2mnk / time), single thread; "TF.js NN" = tf.matMul on the same m,n,k with operands pre-transposed (XNNPACK path)');
  console.log('shape (m x n x k, opA opB)   yours GFLOP/s   TF.js GFLOP/s   ratio   yours µs   TF.js µs   TF.js NN GFLOP/s   ratio vs NN   max rel.diff');
  for (const r of rows) {
    console.log(`${r.shape.padEnd(28)} ${r.mine.toFixed(2).padStart(13)} ${r.tfjs.toFixed(2).padStart(15)} ${r.ratio.toFixed(2).padStart(7)} ${r.us.toFixed(1).padStart(10)} ${r.tus.toFixed(1).padStart(10)} ${r.xnn.toFixed(2).padStart(18)} ${(r.mine / r.xnn).toFixed(2).padStart(13)} ${r.md.toExponential(1).padStart(14)}`);
  }
}

let ok = true;
if (doCheck) ok = checkAll();
if (doTime) await timeAll();
if (!ok) process.exitCode = 1;
