import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { AppEnv } from '../http/context.js';

/**
 * The admin web app: built files from `apps/admin/dist`. Client-side routes live under `/ui/`
 * (and `/` itself), so they never collide with API paths; a reload or deep link of any `/ui/…`
 * page gets `index.html`. Only these paths ever answer HTML.
 */
export function uiRoutes(adminDist: string | undefined) {
  const app = new Hono<AppEnv>();
  const indexPath = adminDist ? join(adminDist, 'index.html') : undefined;
  if (!adminDist || !indexPath || !existsSync(indexPath)) {
    const missing = (c: import('hono').Context) =>
      c.text(
        'The admin UI is not built. Run `pnpm build` (or `pnpm start`, which builds it).\n',
        503,
      );
    app.get('/', missing);
    app.get('/ui', missing);
    app.get('/ui/*', missing);
    return app;
  }
  const index = readFileSync(indexPath, 'utf8');
  const html = (c: import('hono').Context) => {
    c.header('Cache-Control', 'no-cache');
    c.header('Content-Security-Policy', CSP);
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(index);
  };
  app.get('/', html);
  app.get('/ui', html);
  app.get('/ui/*', html);
  app.use('/assets/*', async (c, next) => {
    await next();
    // Vite fingerprints asset names: they never change under the same URL.
    if (c.res.ok) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  });
  // Source maps would hand out the UI's sources (and the build's paths): never served, even if
  // an older build left them in dist.
  app.get('/assets/*', async (c, next) => (c.req.path.endsWith('.map') ? c.notFound() : next()));
  app.get('/assets/*', serveStatic({ root: adminDist }));
  app.get('/favicon.svg', serveStatic({ root: adminDist, path: 'favicon.svg' }));
  return app;
}

/** Scripts and styles only from this origin; no framing; API calls only to this origin. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');
