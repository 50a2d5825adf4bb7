export {
  additionProblems,
  answerLength,
  answerText,
  decodeAnswer,
  decodeQuestion,
  encodeAnswer,
  encodePairs,
  encodeQuestion,
  questionLength,
  questionText,
  stepsOf,
  ANSWER_SLOT,
  BLANK,
  INPUT_CHARS,
  OUTPUT_CLASSES,
  PLUS,
  type AdditionFormat,
  type Encoded,
  type Pair,
  type ProblemOptions,
  type Problems,
} from './data.js';
export { additionModel, type AdditionModelOptions } from './model.js';
export { answer, exactRate, trainAddition, QUICK, type AdditionResult, type TrainAdditionOptions } from './train.js';
export { parseAdditionArgs, type AdditionArgs } from './args.js';
