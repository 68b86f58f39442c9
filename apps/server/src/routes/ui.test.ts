import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { createTestContext } from '../test/harness.js';

const dist = mkdtempSync(join(tmpdir(), 'airlock-ui-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(
  join(dist, 'index.html'),
  '<!doctype html><title>Airlock admin</title><div id="root"></div>',
);
writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'console.log("ui")');
// An older build may have left source maps behind.
writeFileSync(join(dist, 'assets', 'app-abc123.js.map'), '{"sources":["/home/dev/src/App.tsx"]}');
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('admin UI serving', () => {
  const ctx = createTestContext();
  const app = createApp({ ...ctx.deps, adminDist: dist });
  const get = (path: string) => app.request(path, { headers: { accept: 'text/html' } });

  it('serves index.html at / and for every /ui deep link', async () => {
    for (const path of [
      '/',
      '/ui',
      '/ui/profiles',
      '/ui/profiles/1234',
      '/ui/settings/audit?x=1',
    ]) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toMatch(/text\/html/);
      expect(await r.text()).toContain('Airlock admin');
      expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
  });

  it('serves assets but never a source map', async () => {
    expect((await get('/assets/app-abc123.js')).status).toBe(200);
    const map = await get('/assets/app-abc123.js.map');
    expect(map.status).toBe(404);
    expect(await map.text()).not.toContain('App.tsx');
  });

  it('never answers HTML on API paths, even to a browser', async () => {
    for (const path of [
      '/profiles',
      '/credentials',
      '/health',
      '/api/admin/profiles',
      '/api/nope',
      '/executions/x',
      '/nope',
    ]) {
      const r = await get(path);
      expect(r.headers.get('content-type'), path).toMatch(/application\/json/);
    }
  });

  it('serves fingerprinted assets with long caching', async () => {
    const r = await get('/assets/app-abc123.js');
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('console.log');
    expect(r.headers.get('cache-control')).toContain('immutable');
    expect((await get('/assets/missing.js')).status).toBe(404);
    expect((await get('/assets/..%2Findex.html')).headers.get('content-type') ?? '').not.toMatch(
      /text\/html/,
    );
  });

  it('says plainly when the UI is not built', async () => {
    const r = await ctx.app.request('/');
    expect(r.status).toBe(503);
    expect(await r.text()).toMatch(/not built/);
  });
});
