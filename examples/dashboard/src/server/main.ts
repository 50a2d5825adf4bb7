import { join } from 'node:path';
import { buildDashboard, packageDir } from './build.js';
import { startDashboard } from './start.js';

/* `pnpm start`: bundle the page and the worker, then serve them (PORT overrides 5173).
   With --build-only it bundles and exits. */

const outdir = join(packageDir, 'dist/web');
const port = Number(process.env.PORT ?? 5173);

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(1);
}

try {
  if (process.argv.includes('--build-only')) {
    await buildDashboard(outdir);
    console.log(`built the dashboard into ${outdir}`);
  } else {
    const server = await startDashboard({ outdir, port });
    console.log(`gradstream dashboard: ${server.url}  (Ctrl+C to stop)`);
  }
} catch (err) {
  const code = (err as { code?: string }).code;
  console.error(code === 'EADDRINUSE' ? `port ${port} is in use; set PORT to another one` : err instanceof Error ? err.message : String(err));
  process.exit(1);
}
