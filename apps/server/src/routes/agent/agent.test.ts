import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/harness.js';

let ctx = createTestContext();
afterEach(() => {
  ctx.close();
  ctx = createTestContext();
});

describe('agent credentials', () => {
  it('creates slots, skips existing names, ignores values, lists sorted without values', async () => {
    const a = await ctx.call('POST', '/credentials', {
      body: {
        credentials: [
          { name: 'ZETA_KEY', description: 'z' },
          { name: 'ALPHA_KEY', value: 'agent-sent-value-ignored' },
        ],
      },
    });
    expect(a.status).toBe(201);
    expect(a.json).toEqual({ created: ['ZETA_KEY', 'ALPHA_KEY'], skipped: [] });
    const b = await ctx.call('POST', '/credentials', {
      body: { credentials: [{ name: 'ALPHA_KEY' }, { name: 'NEW_ONE' }] },
    });
    expect(b.json).toEqual({ created: ['NEW_ONE'], skipped: ['ALPHA_KEY'] });
    const list = await ctx.call('GET', '/credentials');
    expect(list.json.credentials).toEqual([
      { name: 'ALPHA_KEY', description: '', value_exists: false, delivery: { mode: 'inject' } },
      { name: 'NEW_ONE', description: '', value_exists: false, delivery: { mode: 'inject' } },
      { name: 'ZETA_KEY', description: 'z', value_exists: false, delivery: { mode: 'inject' } },
    ]);
    expect(list.text).not.toContain('agent-sent-value-ignored');
  });

  it('treats a duplicate within one request as skipped', async () => {
    const r = await ctx.call('POST', '/credentials', {
      body: { credentials: [{ name: 'DUP' }, { name: 'DUP' }] },
    });
    expect(r.json).toEqual({ created: ['DUP'], skipped: ['DUP'] });
  });

  it('creates nothing when any name in the batch is invalid', async () => {
    for (const bad of ['', '1ABC', 'has-dash', 'sp ace', 'x'.repeat(129), 'ünï']) {
      const r = await ctx.call('POST', '/credentials', {
        body: { credentials: [{ name: 'GOOD_ONE' }, { name: bad }] },
      });
      expect(r.status).toBe(422);
    }
    expect((await ctx.call('GET', '/credentials')).json.credentials).toEqual([]);
  });

  it('accepts a 128-character name and rejects an empty list', async () => {
    expect(
      (
        await ctx.call('POST', '/credentials', {
          body: { credentials: [{ name: `A${'b'.repeat(127)}` }] },
        })
      ).status,
    ).toBe(201);
    expect((await ctx.call('POST', '/credentials', { body: { credentials: [] } })).status).toBe(
      422,
    );
  });
});

describe('agent profiles', () => {
  async function slots(...names: string[]) {
    await ctx.call('POST', '/credentials', {
      body: { credentials: names.map((name) => ({ name })) },
    });
  }

  it('creates an unlocked profile with the contract shape', async () => {
    const r = await ctx.call('POST', '/profiles', { body: { description: 'reporting' } });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      description: 'reporting',
      locked: false,
      key_id: null,
      credentials: [],
      expires_at: null,
      revoked: false,
      created_at: '2026-11-28T12:00:00Z',
    });
    expect(r.json.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect((await ctx.call('GET', `/profiles/${r.json.id}`)).json).toEqual(r.json);
    expect((await ctx.call('GET', '/profiles')).json.profiles).toEqual([r.json]);
  });

  it('accepts a profile without a body', async () => {
    const r = await ctx.call('POST', '/profiles');
    expect(r.status).toBe(201);
    expect(r.json.description).toBe('');
  });

  it('answers 404 with the contract message for an unknown profile', async () => {
    const r = await ctx.call('GET', '/profiles/does-not-exist');
    expect(r.status).toBe(404);
    expect(r.json.detail).toBe("Profile 'does-not-exist' not found");
  });

  it('attaches idempotently and detaches, ignoring unknown names on detach', async () => {
    await slots('A_KEY', 'B_KEY');
    const p = (await ctx.call('POST', '/profiles')).json;
    const once = await ctx.call('POST', `/profiles/${p.id}/credentials`, {
      body: { credentials: ['A_KEY', 'B_KEY'] },
    });
    const twice = await ctx.call('POST', `/profiles/${p.id}/credentials`, {
      body: { credentials: ['A_KEY'] },
    });
    expect(once.status).toBe(200);
    expect(twice.json.credentials.map((c: { name: string }) => c.name)).toEqual(['A_KEY', 'B_KEY']);
    expect(twice.json.credentials[0]).toEqual({
      name: 'A_KEY',
      description: '',
      value_exists: false,
      delivery: { mode: 'inject' },
    });
    const d = await ctx.call('DELETE', `/profiles/${p.id}/credentials`, {
      body: { credentials: ['A_KEY', 'NOPE'] },
    });
    expect(d.status).toBe(200);
    expect(d.json.credentials.map((c: { name: string }) => c.name)).toEqual(['B_KEY']);
  });

  it('attaches all or nothing: an unknown name is a 404 and nothing changes', async () => {
    await slots('A_KEY');
    const p = (await ctx.call('POST', '/profiles')).json;
    const r = await ctx.call('POST', `/profiles/${p.id}/credentials`, {
      body: { credentials: ['A_KEY', 'MISSING'] },
    });
    expect(r.status).toBe(404);
    expect(r.json.detail).toBe("Credential 'MISSING' not found");
    expect((await ctx.call('GET', `/profiles/${p.id}`)).json.credentials).toEqual([]);
  });

  it('refuses changes to locked and revoked profiles with 409', async () => {
    const token = await ctx.adminToken();
    await slots('A_KEY', 'B_KEY');
    const { profileId } = await ctx.lockedProfile(token, { A_KEY: 'a-value-long-enough' });
    for (const method of ['POST', 'DELETE']) {
      const r = await ctx.call(method, `/profiles/${profileId}/credentials`, {
        body: { credentials: ['B_KEY'] },
      });
      expect(r.status).toBe(409);
      expect(r.json.detail).toBe('Cannot modify credentials on a locked profile');
    }
    await ctx.call('POST', `/api/admin/profiles/${profileId}/revoke`, { token });
    const r = await ctx.call('POST', `/profiles/${profileId}/credentials`, {
      body: { credentials: ['B_KEY'] },
    });
    expect(r.status).toBe(409);
    expect(r.json.detail).toBe('Cannot modify credentials on a revoked profile');
  });

  it('never shows a secret or value in agent views', async () => {
    const token = await ctx.adminToken();
    const { profileId, secret } = await ctx.lockedProfile(token, {
      A_KEY: 'agent-must-not-see-this',
    });
    const one = await ctx.call('GET', `/profiles/${profileId}`);
    const all = await ctx.call('GET', '/profiles');
    const creds = await ctx.call('GET', '/credentials');
    for (const r of [one, all, creds]) {
      expect(r.text).not.toContain(secret);
      expect(r.text).not.toContain('agent-must-not-see-this');
    }
    expect(one.json.locked).toBe(true);
    expect(one.json.key_id).toMatch(/^ark_[a-z0-9]{24}$/);
    expect(one.json.credentials).toEqual([
      { name: 'A_KEY', description: '', value_exists: true, delivery: { mode: 'inject' } },
    ]);
  });
});

describe('who made it', () => {
  it('marks the slots and profiles agents create as made by the agent, the admin’s as admin', async () => {
    const token = await ctx.adminToken();
    await ctx.call('POST', '/credentials', { body: { credentials: [{ name: 'AGENT_KEY' }] } });
    await ctx.call('POST', '/api/admin/credentials', { token, body: { name: 'ADMIN_KEY' } });
    const agentMade = (await ctx.call('POST', '/profiles', { body: { description: 'a' } })).json;
    const adminMade = (
      await ctx.call('POST', '/api/admin/profiles', { token, body: { description: 'b' } })
    ).json;
    expect(adminMade.created_by).toBe('admin');

    const creds = (await ctx.call('GET', '/api/admin/credentials', { token })).json.credentials;
    expect(creds.map((c: { name: string; created_by: string }) => [c.name, c.created_by])).toEqual([
      ['ADMIN_KEY', 'admin'],
      ['AGENT_KEY', 'agent'],
    ]);
    const profiles = (await ctx.call('GET', '/api/admin/profiles', { token })).json.profiles;
    expect(
      Object.fromEntries(
        profiles.map((p: { id: string; created_by: string }) => [p.id, p.created_by]),
      ),
    ).toEqual({ [agentMade.id]: 'agent', [adminMade.id]: 'admin' });
    // An agent editing the admin's profile or filling the admin's slot does not change the mark.
    await ctx.call('POST', `/profiles/${adminMade.id}/credentials`, {
      body: { credentials: ['AGENT_KEY'] },
    });
    const one = (await ctx.call('GET', `/api/admin/profiles/${adminMade.id}`, { token })).json;
    expect(one.created_by).toBe('admin');
    expect(one.credentials).toEqual([
      { name: 'AGENT_KEY', description: '', has_value: false, delivery: { mode: 'inject' } },
    ]);
    // The agent's own views do not carry the mark (it is for the person reviewing).
    expect((await ctx.call('GET', `/profiles/${agentMade.id}`)).json).not.toHaveProperty(
      'created_by',
    );
  });
});
