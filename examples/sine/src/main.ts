import { formatSine } from './report.js';
import { fitSine } from './sine.js';

console.log(formatSine(await fitSine(), { color: process.stdout.isTTY === true }));
