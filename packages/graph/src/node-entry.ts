/**
 * The parts of `@gradstream/graph` that need Node's file system: saving and loading checkpoint
 * files, reading a file whole within a size limit, and turning a failed file call into a `FILE_ERROR`. Import them from
 * `@gradstream/graph/node`; everything else lives in `@gradstream/graph`, which runs anywhere.
 *
 * @module node
 */
export { loadCheckpoint, saveCheckpoint, writeCheckpointFile, writeFileAtomic, type LoadCheckpointOptions } from './io/checkpoint-file.js';
export { fileError, withFileErrors, type FileAccess } from './io/fs-error.js';
export { MAX_TEXT_FILE_BYTES, readFileWithin, type ReadFileOptions } from './io/read-file.js';
