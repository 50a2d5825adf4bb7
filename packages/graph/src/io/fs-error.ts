import { GradstreamError } from '@gradstream/tensor';

/**
 * Whether a file was being read or written when the file system refused: a missing entry means a
 * missing file to a reader, a missing directory to a writer.
 *
 * @example
 * ```ts
 * import type { FileAccess } from '@gradstream/graph/node';
 * const access: FileAccess = 'write';
 * ```
 */
export type FileAccess = 'read' | 'write';

// Node's error codes, said plainly. Codes not listed keep the text Node gives them.
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is too large',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many levels of symbolic links',
  EEXIST: 'it already exists',
  EBUSY: 'the file is busy',
  EIO: 'input/output error',
};

/**
 * A file-system failure as a `FILE_ERROR` {@link GradstreamError}: the message is
 * `<operation> <path>: <reason>` (`loadCheckpoint model.json: no such file`), the details
 * `{ path, operation, errno, syscall }`, `errno` being Node's code (`'ENOENT'`). Anything that is
 * not an error of the file system — a wrong argument, an error already typed — is returned as it
 * is, so a caller can wrap every failure of a file call without mislabelling its own bugs.
 *
 * @param operation - what was being done, as the caller's users know it (`'loadCheckpoint'`)
 * @param path - the file the operation was about (for a write through a temporary file, the target)
 * @param cause - what the file-system call threw
 * @param access - `'write'` makes a missing entry read `its directory does not exist`
 * @returns the error to throw
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { fileError } from '@gradstream/graph/node';
 * try {
 *   await readFile('missing.json');
 * } catch (e) {
 *   throw fileError('loadCheckpoint', 'missing.json', e); // FILE_ERROR "loadCheckpoint missing.json: no such file"
 * }
 * ```
 */
export function fileError(operation: string, path: string, cause: unknown, access: FileAccess = 'read'): unknown {
  const { code, syscall, message } = (cause ?? {}) as { code?: unknown; syscall?: unknown; message?: unknown };
  // System errors carry an errno name (ENOENT); Node's own argument errors are ERR_… and stay as they are.
  if (cause instanceof GradstreamError || typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return cause;
  const reason = code === 'ENOENT' && access === 'write' ? 'its directory does not exist' : (REASONS[code] ?? nodeReason(message, code));
  return new GradstreamError('FILE_ERROR', `${operation} ${path}: ${reason}`, {
    path,
    operation,
    errno: code,
    ...(typeof syscall === 'string' ? { syscall } : {}),
  });
}

/**
 * Runs one file-system call and turns its failure into a `FILE_ERROR` ({@link fileError}).
 *
 * @param operation - what is being done (`'loadData'`)
 * @param path - the file it is about
 * @param call - the file-system call
 * @param access - `'read'` (default) or `'write'`
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { withFileErrors } from '@gradstream/graph/node';
 * const text = await withFileErrors('loadData', 'data.csv', () => readFile('data.csv', 'utf8'));
 * ```
 */
export async function withFileErrors<T>(operation: string, path: string, call: () => Promise<T>, access: FileAccess = 'read'): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw fileError(operation, path, e, access);
  }
}

// Node's text is "ENOSPC: no space left on device, write": the part between the code and the call.
function nodeReason(message: unknown, code: string): string {
  const text = typeof message === 'string' ? message.replace(/^E[A-Z0-9]+: /, '').replace(/, \w+(?: '.*')?$/s, '') : '';
  return text === '' ? code : text;
}
