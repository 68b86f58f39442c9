import { requirements } from '@airlock/db';
import { afterEach, describe, expect, it } from 'vitest';
import { listSystemPackages } from '../../services/requirements/system.js';
import { createTestContext } from '../../test/harness.js';

let ctx = createTestContext();
afterEach(() => {
  ctx.close();
  ctx = createTestContext();
});

describe('admin requirements', () => {
  it('lists what scripts import without an install: the system interpreter`s packages', async () => {
    const token = await ctx.adminToken();
    const r = await ctx.call('GET', '/api/admin/requirements', { token });
    expect(r.status).toBe(200);
    const names = (r.json.system as { name: string; version: string }[]).map((p) => p.name);
    // Debian's python3-requests, python3-httpx and python3-yaml, which scripts rely on.
    expect(names).toEqual(expect.arrayContaining(['requests', 'httpx', 'PyYAML']));
    for (const p of r.json.system) expect(p.version).toMatch(/^\d/);
    // One entry per distribution, sorted by name.
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    expect([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))).toEqual(
      names,
    );
    expect(r.json.packages).toEqual([]);
    expect(r.json.failures).toEqual([]);
  });

  it('asks the interpreter once; a failed probe is asked again', async () => {
    const first = listSystemPackages('/usr/bin/python3');
    expect(listSystemPackages('/usr/bin/python3')).toBe(first);
    const broken = listSystemPackages('/nonexistent/python3');
    await expect(broken).rejects.toThrow(/could not list its packages/);
    const again = listSystemPackages('/nonexistent/python3');
    expect(again).not.toBe(broken);
    await expect(again).rejects.toThrow(/could not list its packages/);
  });

  it('refuses an invalid install before running anything, and records nothing', async () => {
    const token = await ctx.adminToken();
    const before = (await ctx.call('GET', '/api/admin/audit', { token })).json.total;
    for (const packages of [['--index-url=http://evil.example'], ['ok', 'bad spec; rm -rf']]) {
      const r = await ctx.call('POST', '/api/admin/requirements', { token, body: { packages } });
      expect(r.status).toBe(422);
      expect(String(r.json.detail)).toMatch(/invalid package spec/);
    }
    const empty = await ctx.call('POST', '/api/admin/requirements', {
      token,
      body: { packages: [] },
    });
    expect(empty.status).toBe(422);
    const unknown = await ctx.call('POST', '/api/admin/requirements', {
      token,
      body: { packages: ['six'], scope: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.status).toBe(404);
    expect(ctx.db.select().from(requirements).all()).toEqual([]);
    expect((await ctx.call('GET', '/api/admin/audit', { token })).json.total).toBe(before);
  });
});
