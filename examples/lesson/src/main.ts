import { LESSON, formatLessonStep, lessonModel, lessonStep } from '@gradstream/cli';
import { trainToConvergence } from './lesson.js';

const model = lessonModel();
console.log(formatLessonStep(await lessonStep(model)));
const last = await trainToConvergence(model);
console.log(`\nTrained to convergence: L = ${last.loss.toExponential(3)} after ${last.step + 1} steps of SGD in all (α = ${LESSON.lr}).`);
