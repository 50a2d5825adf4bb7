import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';

/** A running static server. */
export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the files of `dir` over HTTP on `host:port` (port 0 picks a free one), unknown paths
 * answering 404. Resolves once it is listening.
 */
export function serveStatic(dir: string, port: number, host = '127.0.0.1'): Promise<StaticServer> {
  // dev: read the files on every request, so a rebuild shows up on reload.
  const files = sirv(dir, { dev: true, etag: true });
  const server = createServer((req, res) => {
    // Cross-origin isolated, so the page (and its training worker) may share memory with worker
    // threads: the WebAssembly backend then runs its large kernels on every core.
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    files(req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${actual}/`,
        close: () => new Promise<void>((done, fail) => server.close((err) => (err ? fail(err) : done()))),
      });
    });
  });
}
