import { buildDashboard } from './build.js';
import { serveStatic, type StaticServer } from './serve.js';

/**
 * Builds the dashboard into `outdir` and serves it on `port` (0: any free port).
 *
 * @returns the server, whose `url` is the page
 */
export async function startDashboard(options: { readonly outdir: string; readonly port: number; readonly host?: string }): Promise<StaticServer> {
  await buildDashboard(options.outdir);
  return serveStatic(options.outdir, options.port, options.host);
}
