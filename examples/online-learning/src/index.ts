export { arrivals$, noisyLine, type LineOptions } from './line.js';
export { batchRun$, collect, lineModel, onlineRun$, runningLoss, type RunOptions, type RunResult, type RunningLoss } from './online.js';
export { RUNNING_HEADER, formatComparison, formatRunning, sameBits } from './report.js';
