import { gunzipSync } from 'node:zlib';

/** One file (or folder) of a packed package, as the tarball holds it. */
export interface TarEntry {
  /** The path inside the tarball, `package/` prefix removed: `dist/index.js`. */
  readonly path: string;
  /** `0` a file, `5` a folder, … (the ustar type flag). */
  readonly type: string;
  readonly size: number;
  readonly data: Buffer;
}

/**
 * The entries of an npm package tarball (gzipped ustar, as `npm pack` and `pnpm pack` write it),
 * read in-process so that listing and sizing one needs no `tar` binary on the machine. Long paths
 * come either split over the header's prefix and name fields or in a pax header before the entry;
 * both are read.
 */
export function readTarball(gzipped: Buffer): TarEntry[] {
  const tar = gunzipSync(gzipped);
  const entries: TarEntry[] = [];
  let paxPath: string | undefined;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break; // the two zero blocks that end the archive
    const field = (start: number, length: number): string => {
      const raw = header.subarray(start, start + length);
      const end = raw.indexOf(0);
      return raw.subarray(0, end === -1 ? length : end).toString('utf8');
    };
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    const name = prefix === '' ? field(0, 100) : `${prefix}/${field(0, 100)}`;
    const data = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      // Records are `<length> <key>=<value>\n`; only the path matters here.
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
      continue;
    }
    if (type === 'g') continue;
    entries.push({ path: (paxPath ?? name).replace(/^package\//, ''), type, size, data });
    paxPath = undefined;
  }
  return entries;
}
