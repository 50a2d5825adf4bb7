// The lesson's network, its worked step and the table that shows it live in @gradstream/cli (behind
// `gradstream explain`); the example re-exports them beside its own training loop.
export { LESSON, formatLessonStep, lessonData, lessonModel, lessonStep, type LessonStep } from '@gradstream/cli';
export { trainToConvergence } from './lesson.js';
