/** Bytes before the pixels: the 14-byte file header and the 40-byte BITMAPINFOHEADER. */
const HEADER = 54;

/**
 * An RGBA image (`width × height` pixels, row 0 at the top, alpha ignored) as a `data:` URL of an
 * uncompressed 24-bit BMP, for an SVG `<image>`. The network view repaints a few hundred small
 * unit maps several times a second: a BMP is written in one pass over the pixels, where a
 * canvas's `toDataURL` would compress a PNG for each of them.
 */
export function bmpDataUrl(rgba: ArrayLike<number>, width: number, height: number): string {
  // Each row of a BMP is padded to a multiple of 4 bytes, and the rows are stored bottom-up.
  const row = Math.ceil((width * 3) / 4) * 4;
  const bytes = new Uint8Array(HEADER + row * height);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x42; // 'B'
  bytes[1] = 0x4d; // 'M'
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, HEADER, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true); // planes
  view.setUint16(28, 24, true); // bits per pixel
  view.setUint32(34, row * height, true);
  // 2835 pixels per metre is 72 dpi; the compression (0: none) and palette fields stay 0.
  view.setInt32(38, 2835, true);
  view.setInt32(42, 2835, true);
  for (let y = 0; y < height; y++) {
    let o = HEADER + (height - 1 - y) * row;
    for (let x = 0, i = y * width * 4; x < width; x++, i += 4) {
      bytes[o++] = rgba[i + 2] as number;
      bytes[o++] = rgba[i + 1] as number;
      bytes[o++] = rgba[i] as number;
    }
  }
  return `data:image/bmp;base64,${base64(bytes)}`;
}

const ALPHABET = Uint8Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0));
const PAD = 0x3d; // '='
const ascii = new TextDecoder();

/**
 * Base64 of the bytes, written as ASCII codes and decoded into a string in one call: several
 * times faster than `btoa` over a string built a character at a time, for hundreds of maps a frame.
 */
function base64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let i = 0;
  let o = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[o++] = ALPHABET[n >> 18] as number;
    out[o++] = ALPHABET[(n >> 12) & 63] as number;
    out[o++] = ALPHABET[(n >> 6) & 63] as number;
    out[o++] = ALPHABET[n & 63] as number;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    out[o++] = ALPHABET[n >> 18] as number;
    out[o++] = ALPHABET[(n >> 12) & 63] as number;
    out[o++] = rest === 2 ? (ALPHABET[(n >> 6) & 63] as number) : PAD;
    out[o++] = PAD;
  }
  return ascii.decode(out);
}
