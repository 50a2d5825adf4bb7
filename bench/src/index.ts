export { FULL, QUICK, runBench, type BenchOptions, type BenchResult } from './bench.js';
export { formatReport } from './report.js';
export { RATIOS, RATIO_KEYS, TARGET_RATIO_KEYS, WORKLOADS, writeJsonAtomic, type RatioKey, type Ratios, type Workload } from './results.js';
export { median, measureInterleaved, type Candidate, type Measurement, type RowInfo, type TimingOptions } from './stats.js';
export { LESSON } from './nets.js';
export { tfjsTensorCount } from './peers/tfjs.js';
