/**
 * Bytes as base64 text and back, through the platform's own `btoa` and `atob` (every browser,
 * worker and Node has them): checkpoints keep tensors this way, and the wasm backend its module.
 */

/** Characters per `String.fromCharCode` call: far below any engine's limit on arguments. */
const CHUNK = 0x8000;

/**
 * A character outside the standard alphabet and its padding (`atob` would also take spaces). One
 * character class, searched: a pattern over the whole text would recurse through a checkpoint's
 * megabytes and overflow the stack.
 */
const OUTSIDE = /[^A-Za-z0-9+/=]/;

/**
 * Base64 (standard alphabet, padded) of the bytes.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from '@gradstream/tensor';
 * encodeBase64(new Uint8Array([1, 2, 3])); // 'AQID'
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/**
 * The bytes of base64 text (standard alphabet, padded). Anything else is a `SyntaxError` saying
 * what is wrong.
 *
 * @example
 * ```ts
 * import { decodeBase64 } from '@gradstream/tensor';
 * decodeBase64('AQID'); // Uint8Array [1, 2, 3]
 * ```
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (text.length % 4 !== 0) throw new SyntaxError(`length ${text.length} is not a multiple of 4`);
  const at = text.search(OUTSIDE);
  if (at >= 0) throw new SyntaxError(`invalid character ${JSON.stringify(text[at])} at ${at}`);
  // Padding: none, or one or two '=' closing the text.
  const pad = text.indexOf('=');
  if (pad >= 0 && pad < text.length - 2) throw new SyntaxError('misplaced padding');
  if (pad === text.length - 2 && text[text.length - 1] !== '=') throw new SyntaxError('misplaced padding');
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
