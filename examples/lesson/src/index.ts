export { LESSON, lessonData, lessonModel, lessonStep, trainToConvergence, type LessonStep } from './lesson.js';
export { formatLessonStep } from './report.js';
