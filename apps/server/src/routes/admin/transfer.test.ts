import { encryptExport } from '@airlock/vault';
import { afterEach, describe, expect, it } from 'vitest';
import { openText, profileSecretContext } from '../../lib/sealed.js';
import { authenticateProfileKey } from '../../services/profiles/authenticate.js';
import { buildExportDocument } from '../../services/transfer/export.js';
import { databaseChecksum } from '../../test/db-checksum.js';
import { createTestContext } from '../../test/harness.js';

const PASSPHRASE = 'a long export passphrase';
const contexts: ReturnType<typeof createTestContext>[] = [];
function fresh() {
  const c = createTestContext();
  contexts.push(c);
  return c;
}
afterEach(() => {
  for (const c of contexts.splice(0)) c.close();
});

async function exportFrom(
  ctx: ReturnType<typeof createTestContext>,
  token: string,
): Promise<string> {
  const res = await ctx.app.request('/api/admin/export', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ passphrase: PASSPHRASE }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/octet-stream');
  expect(res.headers.get('content-disposition')).toMatch(
    /attachment; filename="airlock-\d{8}-\d{6}\.airlock-export"/,
  );
  return Buffer.from(await res.arrayBuffer()).toString('base64');
}

async function populated() {
  const src = fresh();
  const token = await src.adminToken();
  const live = await src.lockedProfile(token, {
    STRIPE_KEY: 'sk_test_exported_value_1',
    DB_URL: 'postgres://u:p@h/db',
  });
  await src.call('POST', '/credentials', {
    body: { credentials: [{ name: 'EMPTY_SLOT', description: 'later' }] },
  });
  const unlocked = (await src.call('POST', '/profiles', { body: { description: 'draft' } })).json;
  await src.call('POST', `/profiles/${unlocked.id}/credentials`, {
    body: { credentials: ['EMPTY_SLOT'] },
  });
  await src.call('PUT', `/profiles/${unlocked.id}/network`, {
    body: { mode: 'allowlist', allow: ['api.stripe.com', '10.0.0.0/8:5432'] },
  });
  return { src, token, live, unlocked };
}

describe('export and import', () => {
  it('round-trips into a fresh instance: values re-sealed, key ids and secrets keep working', async () => {
    const { src, token, live, unlocked } = await populated();
    const file = await exportFrom(src, token);
    expect(Buffer.from(file, 'base64').toString('latin1')).not.toContain(
      'sk_test_exported_value_1',
    );

    const dst = fresh();
    const dstToken = await dst.adminToken();
    const preview = await dst.call('POST', '/api/admin/import/preview', {
      token: dstToken,
      body: { file, passphrase: PASSPHRASE },
    });
    expect(preview.status).toBe(200);
    expect(preview.json.credentials.new.sort()).toEqual(['DB_URL', 'EMPTY_SLOT', 'STRIPE_KEY']);
    expect(preview.json.profiles.new.sort()).toEqual([live.profileId, unlocked.id].sort());
    expect((await dst.call('GET', '/credentials')).json.credentials).toEqual([]); // preview changed nothing

    const imported = await dst.call('POST', '/api/admin/import', {
      token: dstToken,
      body: { file, passphrase: PASSPHRASE },
    });
    expect(imported.status).toBe(200);
    expect(imported.json.strategy).toBe('skip');

    const creds = (await dst.call('GET', '/credentials')).json.credentials;
    expect(
      creds.map((c: { name: string; value_exists: boolean }) => [c.name, c.value_exists]),
    ).toEqual([
      ['DB_URL', true],
      ['EMPTY_SLOT', false],
      ['STRIPE_KEY', true],
    ]);
    const profile = authenticateProfileKey(dst.deps, `Bearer ${live.keyId}`);
    expect(profile.id).toBe(live.profileId);
    expect(
      openText(dst.deps.keyring, profile.secret as Buffer, profileSecretContext(profile.id)),
    ).toBe(live.secret);
    const draft = (await dst.call('GET', `/profiles/${unlocked.id}`)).json;
    expect(draft.credentials.map((c: { name: string }) => c.name)).toEqual(['EMPTY_SLOT']);
    expect(draft.description).toBe('draft');
    expect(draft.network).toEqual({
      mode: 'allowlist',
      allow: ['api.stripe.com', '10.0.0.0/8:5432'],
    });
    expect((await dst.call('GET', `/profiles/${live.profileId}`)).json.network).toEqual({
      mode: 'none',
      allow: [],
    });
    // Who made each row travels with it (the live profile and the slot came from the agent).
    const adminCreds = (await dst.call('GET', '/api/admin/credentials', { token: dstToken })).json
      .credentials;
    expect(
      adminCreds.map((c: { name: string; created_by: string }) => [c.name, c.created_by]),
    ).toEqual([
      ['DB_URL', 'admin'],
      ['EMPTY_SLOT', 'agent'],
      ['STRIPE_KEY', 'admin'],
    ]);
    expect(
      (await dst.call('GET', `/api/admin/profiles/${unlocked.id}`, { token: dstToken })).json
        .created_by,
    ).toBe('agent');
    // Sessions never travel: the source's admin token means nothing here.
    expect((await dst.call('GET', '/api/admin/session', { token })).status).toBe(401);
  });

  it('imports an export from before who made a row was recorded: all made by the admin', async () => {
    const { src, unlocked } = await populated();
    const doc = buildExportDocument(src.deps);
    const older = {
      ...doc,
      credentials: doc.credentials.map(({ created_by: _, ...c }) => c),
      profiles: doc.profiles.map(({ created_by: _, ...p }) => p),
    };
    expect(JSON.stringify(older)).not.toContain('created_by');
    const file = await encryptExport(JSON.stringify(older), PASSPHRASE, {
      kdf: { N: 2 ** 10, r: 8, p: 1 },
    });
    const dst = fresh();
    const t = await dst.adminToken();
    const imported = await dst.call('POST', '/api/admin/import', {
      token: t,
      body: { file: file.toString('base64'), passphrase: PASSPHRASE },
    });
    expect(imported.status).toBe(200);
    const creds = (await dst.call('GET', '/api/admin/credentials', { token: t })).json.credentials;
    expect(creds.map((c: { created_by: string }) => c.created_by)).toEqual([
      'admin',
      'admin',
      'admin',
    ]);
    expect(
      (await dst.call('GET', `/api/admin/profiles/${unlocked.id}`, { token: t })).json.created_by,
    ).toBe('admin');
  });

  it('skips or overwrites duplicates as asked', async () => {
    const { src, token } = await populated();
    const file = await exportFrom(src, token);
    const dst = fresh();
    const t = await dst.adminToken();
    await dst.call('POST', '/api/admin/credentials', {
      token: t,
      body: { name: 'STRIPE_KEY', value: 'local-value-kept', description: 'local' },
    });
    const skipped = await dst.call('POST', '/api/admin/import', {
      token: t,
      body: { file, passphrase: PASSPHRASE, strategy: 'skip' },
    });
    expect(skipped.json.credentials.duplicate).toEqual(['STRIPE_KEY']);
    expect(
      (await dst.call('GET', '/credentials')).json.credentials.find(
        (c: { name: string }) => c.name === 'STRIPE_KEY',
      ).description,
    ).toBe('local');
    const over = await dst.call('POST', '/api/admin/import', {
      token: t,
      body: { file, passphrase: PASSPHRASE, strategy: 'overwrite' },
    });
    expect(over.status).toBe(200);
    expect(
      (await dst.call('GET', '/credentials')).json.credentials.find(
        (c: { name: string }) => c.name === 'STRIPE_KEY',
      ).description,
    ).toBe('');
  });

  it('refuses every bad file with a clear message and leaves the database unchanged', async () => {
    const { src, token } = await populated();
    const file = await exportFrom(src, token);
    const raw = Buffer.from(file, 'base64');
    const dst = fresh();
    const t = await dst.adminToken();
    await dst.call('POST', '/api/admin/credentials', {
      token: t,
      body: { name: 'PRE_EXISTING', value: 'keep-me-intact' },
    });
    const before = databaseChecksum(dst.sqlite, { exclude: ['sessions', 'audit_log'] });

    const editedHeader = Buffer.from(raw);
    editedHeader[10] = (editedHeader[10] as number) ^ 0x01;
    const absurd = Buffer.from(raw);
    absurd[10] = 60; // log2 N = 60
    const flippedBody = Buffer.from(raw);
    flippedBody[raw.length - 20] = (flippedBody[raw.length - 20] as number) ^ 0xff;
    const cases: [string, Buffer, string, RegExp][] = [
      ['wrong passphrase', raw, 'not the right passphrase', /wrong passphrase|modified/i],
      ['truncated', raw.subarray(0, raw.length - 30), PASSPHRASE, /truncated|incomplete|shorter/i],
      ['edited header', editedHeader, PASSPHRASE, /.+/],
      ['absurd KDF parameters', absurd, PASSPHRASE, /parameter|range/i],
      ['edited body', flippedBody, PASSPHRASE, /wrong passphrase|modified/i],
      [
        'not an export',
        Buffer.from('hello world, definitely not an export file'),
        PASSPHRASE,
        /not an Airlock export|export/i,
      ],
    ];
    for (const [label, bytes, passphrase, message] of cases) {
      for (const path of ['/api/admin/import/preview', '/api/admin/import']) {
        const r = await dst.call('POST', path, {
          token: t,
          body: { file: bytes.toString('base64'), passphrase },
        });
        expect(r.status, `${label} at ${path}`).toBe(422);
        expect(String(r.json.detail), label).toMatch(message);
      }
    }
    expect(databaseChecksum(dst.sqlite, { exclude: ['sessions', 'audit_log'] })).toBe(before);
  });

  it('requires a passphrase of at least 12 characters to export', async () => {
    const ctx = fresh();
    const token = await ctx.adminToken();
    const r = await ctx.call('POST', '/api/admin/export', { token, body: { passphrase: 'short' } });
    expect(r.status).toBe(422);
  });
});
