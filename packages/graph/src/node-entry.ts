/**
 * The parts of `@gradstream/graph` that need Node's file system: saving and loading checkpoint
 * files. Import them from `@gradstream/graph/node`; everything else lives in `@gradstream/graph`,
 * which runs anywhere.
 *
 * @module node
 */
export { loadCheckpoint, saveCheckpoint, writeCheckpointFile } from './io/checkpoint-file.js';
