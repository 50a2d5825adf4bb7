export { swish, swishOp, type SwishConfig } from './swish.js';
export { TARGET_LOSS, sineData, sineMse, swishNet, swishRegistry, train, type TrainOptions, type TrainResult } from './network.js';
export { loadIn, sameBits, saveAndReload, type RoundTrip } from './round-trip.js';
export { formatGradcheck, formatRoundTrip } from './report.js';
