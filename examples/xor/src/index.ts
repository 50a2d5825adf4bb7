export { trainXor, xorModel, type XorOptions, type XorResult, type XorRow } from './xor.js';
export { formatXor } from './report.js';
