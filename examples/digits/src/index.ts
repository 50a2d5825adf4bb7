export { shiftedEpochs, type ShiftOptions } from './augment.js';
export { accuracyOf, confusionMatrix, formatConfusion } from './confusion.js';
export { digitsModel, type DigitsModelOptions } from './model.js';
export { progress, type ProgressOptions } from './progress.js';
export { shiftImage } from './shift.js';
export { trainDigits, trainDigitsModel, type DigitsResult, type DigitsRunOptions, type TrainDigitsOptions } from './train.js';
export { parseDigitsArgs, type DigitsArgs, type DigitsBackend } from './args.js';
export { backendOf } from './backend.js';
