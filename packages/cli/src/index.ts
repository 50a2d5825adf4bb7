/**
 * The `gradstream` command line (train, validate, explain, eval, predict, graph, export, import) and its programmatic
 * pieces: {@link runCli} to run it in-process, the data loaders behind `--data`, the validation
 * split, normalization, predictions and confusion matrix behind `train`, `eval` and `predict`, the step
 * walkthrough behind `explain`, the lesson's worked step, and the DOT and Mermaid renderers.
 *
 * @packageDocumentation
 */
export { runCli } from './cli.js';
export { EXIT } from './exit-codes.js';
export type { CliIo, CliOutput } from './io.js';
// The parsers behind --data live in @gradstream/data (they run in browsers too); re-exported so
// that code importing them from here keeps working.
export {
  applyNormalization,
  fitNormalization,
  fitSamples,
  labelColumnIndex,
  NORMALIZE_METHODS,
  parseCsv,
  parseJsonSamples,
  splitColumns,
  splitLabelColumn,
  type CsvTable,
  type LoadedData,
  type Normalization,
  type RawSamples,
} from '@gradstream/data';
export { BUILTIN_DATASETS, builtinSamples, describeBuiltins } from './data/builtin.js';
export { loadData } from './data/load-data.js';
export { noLabelColumn } from './data/label-column.js';
export { loadInputs, type LoadedInputs } from './data/load-inputs.js';
export { predictedClass, targetClasses } from './data/classes.js';
export { classGaps, splitValidation, type SplitOptions, type ValidationSplit } from './data/split.js';
export { applyPreprocessing, readPreprocessing, withPreprocessing, type Preprocessing } from './data/preprocessing.js';
export { trainingData, type TrainingData, type TrainingDataOptions } from './train/training-data.js';
export { modelOutputs, modelOutputsAsync, predictRows, predictRowsAsync, type ClassPrediction, type Prediction, type PredictRowsOptions, type ValuePrediction } from './predict/predictions.js';
export { classReport, classReportAsync, classScores, confusionMatrix, formatConfusion, type ClassReport, type ClassScore } from './report/confusion.js';
export { chooseMetrics } from './metrics-choice.js';
// walkthrough lives in @gradstream/trainer (pages use it too); re-exported so that code importing it
// from here keeps working.
export { walkthrough, type Walkthrough, type WalkthroughNode, type WalkthroughParam } from '@gradstream/trainer';
export { formatWalkthrough } from './explain/format-walkthrough.js';
export { LESSON, lessonData, lessonModel, lessonStep, type LessonStep } from './lesson/lesson.js';
export { formatLessonStep } from './lesson/report.js';
export { toDot } from './render/dot.js';
export { toMermaid } from './render/mermaid.js';
