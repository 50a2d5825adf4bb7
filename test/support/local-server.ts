import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a page server answers a path with: a body, its content type, and any other headers. */
export interface PageResponse {
  readonly type: string;
  readonly body: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A running page server: its origin (`http://127.0.0.1:port`) and how to stop it. */
export interface PageServer {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves an end-to-end test's pages from 127.0.0.1 on a free port: a secure context, as WebGPU,
 * IndexedDB and the like need, unlike `about:blank`. `answer` gives each path's response, or
 * undefined for a 404; the browser's own `/favicon.ico` request gets 204, so that no 404 shows up
 * among the console errors a test checks. A rejected answer is a 500.
 */
export async function servePages(answer: (path: string) => PageResponse | undefined | Promise<PageResponse | undefined>): Promise<PageServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    Promise.resolve()
      .then(() => answer(path))
      .then(
        (r) => (r === undefined ? res.writeHead(404).end() : res.writeHead(200, { 'content-type': r.type, ...r.headers }).end(r.body)),
        () => res.writeHead(500).end(),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
