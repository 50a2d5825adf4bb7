import { formatXor } from './report.js';
import { trainXor } from './xor.js';

console.log(formatXor(await trainXor()));
