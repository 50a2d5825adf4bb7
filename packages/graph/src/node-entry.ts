/**
 * The parts of `@gradstream/graph` that need Node's file system: saving and loading checkpoint
 * files, and turning a failed file call into a `FILE_ERROR`. Import them from
 * `@gradstream/graph/node`; everything else lives in `@gradstream/graph`, which runs anywhere.
 *
 * @module node
 */
export { loadCheckpoint, saveCheckpoint, writeCheckpointFile } from './io/checkpoint-file.js';
export { fileError, withFileErrors, type FileAccess } from './io/fs-error.js';
