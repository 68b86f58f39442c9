import { afterEach, describe, expect, it } from 'vitest';
import { credentialValueContext, openText } from '../../lib/sealed.js';
import { authenticateProfileKey } from '../../services/profiles/authenticate.js';
import { createTestContext } from '../../test/harness.js';

let ctx = createTestContext();
afterEach(() => {
  ctx.close();
  ctx = createTestContext();
});

const bearer = (keyId: string) => `Bearer ${keyId}`;
function authReason(authorization: string | undefined): string {
  try {
    authenticateProfileKey(ctx.deps, authorization);
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('admin credentials', () => {
  it('creates with a value, reports has_value and never returns the value', async () => {
    const token = await ctx.adminToken();
    const r = await ctx.call('POST', '/api/admin/credentials', {
      token,
      body: { name: 'DB_URL', value: 'postgres://user:pw@db/x', description: 'main db' },
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      name: 'DB_URL',
      has_value: true,
      redactable: true,
      description: 'main db',
      used_by: [],
    });
    expect(r.text).not.toContain('postgres://');
    const list = await ctx.call('GET', '/api/admin/credentials', { token });
    expect(list.json.credentials).toHaveLength(1);
    expect(list.text).not.toContain('postgres://');
  });

  it('flags a value too short to redact', async () => {
    const token = await ctx.adminToken();
    const r = await ctx.call('POST', '/api/admin/credentials', {
      token,
      body: { name: 'PIN', value: '1234' },
    });
    expect(r.json.redactable).toBe(false);
  });

  it('refuses a duplicate name with 409', async () => {
    const token = await ctx.adminToken();
    await ctx.call('POST', '/api/admin/credentials', { token, body: { name: 'X_KEY' } });
    const r = await ctx.call('POST', '/api/admin/credentials', { token, body: { name: 'X_KEY' } });
    expect(r.status).toBe(409);
    expect(r.json.detail).toBe("Credential 'X_KEY' already exists");
  });

  it('sets, rotates and clears a value; the stored blob holds the newest value', async () => {
    const token = await ctx.adminToken();
    await ctx.call('POST', '/credentials', { body: { credentials: [{ name: 'API_TOKEN' }] } });
    const set = await ctx.call('PUT', '/api/admin/credentials/API_TOKEN', {
      token,
      body: { value: 'first-value-123' },
    });
    expect(set.json.has_value).toBe(true);
    await ctx.call('PUT', '/api/admin/credentials/API_TOKEN', {
      token,
      body: { value: 'second-value-456' },
    });
    const row = ctx.sqlite
      .prepare('SELECT id, value FROM credentials WHERE name = ?')
      .get('API_TOKEN') as { id: string; value: Buffer };
    expect(openText(ctx.deps.keyring, row.value, credentialValueContext(row.id))).toBe(
      'second-value-456',
    );
    const cleared = await ctx.call('PUT', '/api/admin/credentials/API_TOKEN', {
      token,
      body: { value: null },
    });
    expect(cleared.json.has_value).toBe(false);
    expect((await ctx.call('GET', '/credentials')).json.credentials[0].value_exists).toBe(false);
    const desc = await ctx.call('PUT', '/api/admin/credentials/API_TOKEN', {
      token,
      body: { description: 'd' },
    });
    expect(desc.json).toMatchObject({ description: 'd', has_value: false });
  });

  it('answers 404 for an unknown credential and 422 for an empty value', async () => {
    const token = await ctx.adminToken();
    expect(
      (
        await ctx.call('PUT', '/api/admin/credentials/NOPE', {
          token,
          body: { value: 'abcdefghij' },
        })
      ).status,
    ).toBe(404);
    await ctx.call('POST', '/api/admin/credentials', { token, body: { name: 'E_KEY' } });
    expect(
      (await ctx.call('PUT', '/api/admin/credentials/E_KEY', { token, body: { value: '' } }))
        .status,
    ).toBe(422);
  });

  it('refuses deleting a credential a locked profile uses; allows it once the profile is revoked', async () => {
    const token = await ctx.adminToken();
    const { profileId } = await ctx.lockedProfile(token, { USED_KEY: 'value-of-used-key' });
    const refused = await ctx.call('DELETE', '/api/admin/credentials/USED_KEY', { token });
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toContain(profileId);
    await ctx.call('POST', `/api/admin/profiles/${profileId}/revoke`, { token });
    const ok = await ctx.call('DELETE', '/api/admin/credentials/USED_KEY', { token });
    expect(ok.status).toBe(204);
    expect(ok.text).toBe('');
    expect((await ctx.call('GET', '/credentials')).json.credentials).toEqual([]);
  });

  it('deletes a credential used only by an unlocked profile, detaching it', async () => {
    const token = await ctx.adminToken();
    await ctx.call('POST', '/credentials', { body: { credentials: [{ name: 'LOOSE' }] } });
    const p = (await ctx.call('POST', '/profiles')).json;
    await ctx.call('POST', `/profiles/${p.id}/credentials`, { body: { credentials: ['LOOSE'] } });
    expect((await ctx.call('DELETE', '/api/admin/credentials/LOOSE', { token })).status).toBe(204);
    expect((await ctx.call('GET', `/profiles/${p.id}`)).json.credentials).toEqual([]);
  });
});

describe('profile lifecycle', () => {
  it('lock returns the key once, and never again', async () => {
    const token = await ctx.adminToken();
    const { profileId, key, keyId, secret } = await ctx.lockedProfile(token, {
      K1: 'value-number-one',
    });
    expect(key).toMatch(/^ark_[a-z0-9]{24}:[A-Za-z0-9]{48}$/);
    const again = await ctx.call('POST', `/api/admin/profiles/${profileId}/lock`, {
      token,
      body: { credentials: ['K1'] },
    });
    expect(again.status).toBe(409);
    for (const path of [
      `/api/admin/profiles/${profileId}`,
      '/api/admin/profiles',
      `/profiles/${profileId}`,
    ]) {
      const r = await ctx.call('GET', path, { token });
      expect(r.text).not.toContain(secret);
      expect(r.text).toContain(keyId);
    }
    const audit = await ctx.call('GET', '/api/admin/audit', { token });
    expect(audit.text).not.toContain(secret);
    expect(authReason(bearer(keyId))).toBe('ok');
  });

  it('regenerate issues a new key and kills the old one at once', async () => {
    const token = await ctx.adminToken();
    const { profileId, keyId } = await ctx.lockedProfile(token, { K1: 'value-number-one' });
    const r = await ctx.call('POST', `/api/admin/profiles/${profileId}/regenerate-key`, {
      token,
      body: { credentials: ['K1'] },
    });
    expect(r.status).toBe(200);
    const [newId] = (r.json.key as string).split(':') as [string];
    expect(newId).not.toBe(keyId);
    expect(authReason(bearer(keyId))).toBe('Invalid profile key');
    expect(authReason(bearer(newId))).toBe('ok');
  });

  it('regenerate is refused for unlocked and revoked profiles', async () => {
    const token = await ctx.adminToken();
    const p = (await ctx.call('POST', '/profiles')).json;
    const none = { token, body: { credentials: [] } };
    expect(
      (await ctx.call('POST', `/api/admin/profiles/${p.id}/regenerate-key`, none)).status,
    ).toBe(409);
    const { profileId } = await ctx.lockedProfile(token, { K1: 'value-number-one' });
    await ctx.call('POST', `/api/admin/profiles/${profileId}/revoke`, { token });
    expect(
      (
        await ctx.call('POST', `/api/admin/profiles/${profileId}/regenerate-key`, {
          token,
          body: { credentials: ['K1'] },
        })
      ).status,
    ).toBe(409);
  });

  it('revoke is permanent: the key is refused, it cannot be locked or regenerated again', async () => {
    const token = await ctx.adminToken();
    const { profileId, keyId } = await ctx.lockedProfile(token, { K1: 'value-number-one' });
    const r = await ctx.call('POST', `/api/admin/profiles/${profileId}/revoke`, { token });
    expect(r.json).toMatchObject({ revoked: true, revoked_at: '2026-11-28T12:00:00Z' });
    expect(authReason(bearer(keyId))).toBe('Profile has been revoked');
    expect(
      (
        await ctx.call('POST', `/api/admin/profiles/${profileId}/lock`, {
          token,
          body: { credentials: ['K1'] },
        })
      ).status,
    ).toBe(409);
    const twice = await ctx.call('POST', `/api/admin/profiles/${profileId}/revoke`, { token });
    expect(twice.status).toBe(409);
    expect(twice.json.detail).toBe(`Profile '${profileId}' is already revoked`);
    const put = await ctx.call('PUT', `/api/admin/profiles/${profileId}`, {
      token,
      body: { description: 'changed after revocation' },
    });
    expect(put.status).toBe(409);
    expect(put.json.detail).toBe(`Profile '${profileId}' is revoked`);
    const row = ctx.sqlite.prepare('SELECT secret FROM profiles WHERE id = ?').get(profileId) as {
      secret: Buffer | null;
    };
    expect(row.secret).toBeNull();
  });

  it('expiry in the past refuses the key; a naive timestamp is read as UTC; clearing restores it', async () => {
    const token = await ctx.adminToken();
    const { profileId, keyId } = await ctx.lockedProfile(token, { K1: 'value-number-one' });
    const naive = await ctx.call('PUT', `/api/admin/profiles/${profileId}`, {
      token,
      body: { expires_at: '2026-11-28T13:00:00' },
    });
    expect(naive.status).toBe(200);
    expect(naive.json).toMatchObject({ expires_at: '2026-11-28T13:00:00Z', expired: false });
    expect(authReason(bearer(keyId))).toBe('ok');
    ctx.clock.advance(60 * 60_000);
    expect(authReason(bearer(keyId))).toBe('Profile has expired');
    expect((await ctx.call('GET', `/profiles/${profileId}`)).json.expired).toBe(true);
    expect(
      (await ctx.call('GET', `/api/admin/profiles/${profileId}`, { token })).json.expired,
    ).toBe(true);
    const cleared = await ctx.call('PUT', `/api/admin/profiles/${profileId}`, {
      token,
      body: { expires_at: null },
    });
    expect(cleared.json).toMatchObject({ expires_at: null, expired: false });
    expect(authReason(bearer(keyId))).toBe('ok');
  });

  it('rejects a malformed expiry with 422 and keeps the old one', async () => {
    const token = await ctx.adminToken();
    const p = (
      await ctx.call('POST', '/api/admin/profiles', {
        token,
        body: { expires_at: '2027-01-01T00:00:00+02:00' },
      })
    ).json;
    expect(p.expires_at).toBe('2026-12-31T22:00:00Z');
    for (const bad of ['tomorrow', '2026-02-31T00:00:00Z', '2026-13-01', '']) {
      const r = await ctx.call('PUT', `/api/admin/profiles/${p.id}`, {
        token,
        body: { expires_at: bad },
      });
      expect(r.status).toBe(422);
    }
    expect((await ctx.call('GET', `/api/admin/profiles/${p.id}`, { token })).json.expires_at).toBe(
      '2026-12-31T22:00:00Z',
    );
  });

  it('credential rotation takes effect for a locked profile', async () => {
    const token = await ctx.adminToken();
    const { profileId } = await ctx.lockedProfile(token, { ROTATED: 'old-value-0001' });
    await ctx.call('PUT', '/api/admin/credentials/ROTATED', {
      token,
      body: { value: 'new-value-0002' },
    });
    const row = ctx.sqlite
      .prepare(
        'SELECT c.id, c.value FROM credentials c JOIN profile_credentials pc ON pc.credential_id = c.id WHERE pc.profile_id = ?',
      )
      .get(profileId) as { id: string; value: Buffer };
    expect(openText(ctx.deps.keyring, row.value, credentialValueContext(row.id))).toBe(
      'new-value-0002',
    );
  });

  it('deletes unlocked and revoked profiles; refuses a live locked one', async () => {
    const token = await ctx.adminToken();
    const unlocked = (await ctx.call('POST', '/profiles')).json;
    expect((await ctx.call('DELETE', `/api/admin/profiles/${unlocked.id}`, { token })).status).toBe(
      204,
    );
    expect((await ctx.call('GET', `/profiles/${unlocked.id}`)).status).toBe(404);
    const { profileId } = await ctx.lockedProfile(token, { K1: 'value-number-one' });
    const refused = await ctx.call('DELETE', `/api/admin/profiles/${profileId}`, { token });
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toBe('Cannot delete a locked profile; revoke it first');
    await ctx.call('POST', `/api/admin/profiles/${profileId}/revoke`, { token });
    expect((await ctx.call('DELETE', `/api/admin/profiles/${profileId}`, { token })).status).toBe(
      204,
    );
    expect((await ctx.call('DELETE', `/api/admin/profiles/${profileId}`, { token })).status).toBe(
      404,
    );
  });

  it('sets the replay-protection requirement', async () => {
    const token = await ctx.adminToken();
    const p = (
      await ctx.call('POST', '/api/admin/profiles', { token, body: { require_signature_v2: true } })
    ).json;
    expect(p.require_signature_v2).toBe(true);
    const u = await ctx.call('PUT', `/api/admin/profiles/${p.id}`, {
      token,
      body: { require_signature_v2: false },
    });
    expect(u.json.require_signature_v2).toBe(false);
  });
});

describe('profile key authentication (contract order and messages)', () => {
  it('answers each failure with its contract message', async () => {
    expect(authReason(undefined)).toBe('Missing authentication token');
    expect(authReason('Basic abc')).toBe('Missing authentication token');
    expect(authReason('Bearer sk_live_123')).toBe('Invalid authentication token');
    expect(authReason('Bearer ark_SHORT')).toBe('Invalid profile key');
    expect(authReason('Bearer ark_abcdefghijklmnopqrstuvwx')).toBe('Invalid profile key');
    const p = (await ctx.call('POST', '/profiles')).json;
    expect(p.key_id).toBeNull();
  });
});
