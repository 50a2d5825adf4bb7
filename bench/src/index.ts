export { FULL, QUICK, runBench, type BenchOptions, type BenchResult } from './bench.js';
export { formatReport } from './report.js';
export { RATIO_KEYS, writeJsonAtomic, type RatioKey, type Ratios } from './results.js';
export { median, measureInterleaved, type Candidate, type Measurement, type TimingOptions } from './stats.js';
export { LESSON } from './nets.js';
export { tfjsTensorCount } from './peers/tfjs.js';
