export { DIGIT_IMAGE_SHAPE, digitsCnnModel, flatFeatures, type CnnPadding, type DigitsCnnModelOptions } from './model.js';
export { trainDigitsCnn, type TrainDigitsCnnOptions } from './train.js';
