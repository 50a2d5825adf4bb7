export { curveMse, fitSine, sampleCurve, sineModel, type Curve, type SineOptions, type SineResult } from './sine.js';
export { formatSine, type ChartOptions } from './report.js';
