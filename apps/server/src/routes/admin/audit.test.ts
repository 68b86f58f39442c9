import { afterEach, describe, expect, it } from 'vitest';
import { csvField } from '../../services/audit/csv.js';
import { recordAudit } from '../../services/audit/record.js';
import { createTestContext } from '../../test/harness.js';

let ctx = createTestContext();
afterEach(() => {
  ctx.close();
  ctx = createTestContext();
});

interface Part {
  text: string;
  ref: { type: string; id: string } | null;
}
interface Entry {
  action: string;
  actor_type: string;
  target_type: string | null;
  sentence: Part[];
}
const sentence = (e: Entry) => e.sentence.map((p) => p.text).join('');

/** RFC 4180 back into rows (quoted fields, doubled quotes, line breaks inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) throw new Error(`unterminated last row: ${row}`);
  return rows;
}

/** An admin session with a small history: what an admin and an agent did, an hour apart. */
async function history() {
  const token = await ctx.adminToken();
  const { profileId, keyId, secret } = await ctx.lockedProfile(token, {
    BILLING_KEY: 'billing-secret-value-1',
  });
  ctx.clock.advance(3600_000);
  await ctx.call('POST', '/credentials', { body: { credentials: [{ name: 'SLOT_ONE' }] } });
  await ctx.call('POST', '/api/admin/credentials', {
    token,
    body: { name: 'DOOMED', value: 'doomed-secret-value-2' },
  });
  await ctx.call('DELETE', '/api/admin/credentials/DOOMED', { token });
  return { token, profileId, keyId, secret };
}

const audit = (token: string, query = '') => ctx.call('GET', `/api/admin/audit${query}`, { token });

describe('the audit log in plain words', () => {
  it('says who did what to which object by name, links to it, and marks what is gone', async () => {
    const { token, profileId, keyId } = await history();
    // An agent acting with the profile's key (e.g. a package install it asked for).
    recordAudit(
      ctx.deps,
      { type: 'profile', id: keyId, ip: '10.0.0.7' },
      'requirements.install_failed',
      undefined,
      { packages: ['pandas==2.2.*'], scope: profileId, reason: 'failed', output: 'x' },
    );
    const r = await audit(token);
    expect(r.status).toBe(200);
    const entries = r.json.entries as Entry[];
    const said = entries.map(sentence);
    expect(said).toEqual(
      expect.arrayContaining([
        'Admin locked profile ‘test profile’ and was shown its key',
        'An agent (no key) created profile ‘test profile’',
        'An agent (no key) attached credential BILLING_KEY to profile ‘test profile’',
        'Admin created credential BILLING_KEY with a value',
        'An agent (no key) asked for credential slot SLOT_ONE',
        'Admin created credential DOOMED (deleted) with a value',
        'Admin deleted credential DOOMED (deleted)',
        'Admin completed first-visit setup and set the password',
        `Agent with key ${keyId.slice(0, 12)}… of profile ‘test profile’ could not install pandas==2.2.* for profile ‘test profile’ (pip failed)`,
      ]),
    );
    const locked = entries.find((e) => e.action === 'profile.lock') as Entry;
    expect(locked.sentence).toContainEqual({
      text: '‘test profile’',
      ref: { type: 'profile', id: profileId },
    });
    const slot = entries.find((e) => e.action === 'credential.create_slots') as Entry;
    expect(slot.sentence.find((p) => p.ref)?.ref).toMatchObject({ type: 'credential' });
    // Gone objects are never links.
    const deleted = entries.find((e) => e.action === 'credential.delete') as Entry;
    expect(deleted.sentence.every((p) => p.ref === null)).toBe(true);
    // The list offers every action it can filter by, grouped.
    expect(r.json.actions).toContainEqual({
      action: 'profile.lock',
      label: 'Profile locked',
      group: 'Profiles',
    });
    expect(r.text).not.toContain('billing-secret-value-1');
    expect(r.text).not.toContain('doomed-secret-value-2');
  });

  it('names the profile of a replaced key, and a deleted profile as deleted', async () => {
    const token = await ctx.adminToken();
    const { profileId, keyId } = await ctx.lockedProfile(token, { K1: 'value-number-one' });
    recordAudit(
      ctx.deps,
      { type: 'profile', id: keyId, ip: null },
      'requirements.install',
      undefined,
      {
        packages: ['six'],
        scope: 'shared',
      },
    );
    await ctx.call('POST', `/api/admin/profiles/${profileId}/regenerate-key`, {
      token,
      body: { credentials: ['K1'] },
    });
    const said = ((await audit(token)).json.entries as Entry[]).map(sentence);
    expect(said).toContain(
      `Agent with key ${keyId.slice(0, 12)}… of profile ‘test profile’ installed six for every profile`,
    );
    expect(said).toContain(
      `Admin replaced the key of profile ‘test profile’ (key ${keyId.slice(0, 12)}… stopped working)`,
    );
    await ctx.call('POST', `/api/admin/profiles/${profileId}/revoke`, { token });
    expect((await ctx.call('DELETE', `/api/admin/profiles/${profileId}`, { token })).status).toBe(
      204,
    );
    const after = ((await audit(token)).json.entries as Entry[]).map(sentence);
    expect(after).toContain(`Admin deleted profile ${profileId.slice(0, 8)}… (deleted)`);
    expect(after).toContain(
      `Agent with key ${keyId.slice(0, 12)}… of profile ${profileId.slice(0, 8)}… (deleted) installed six for every profile`,
    );
  });

  it('an action it does not know still reads as a sentence', async () => {
    const token = await ctx.adminToken();
    recordAudit(ctx.deps, { type: 'system', id: null, ip: null }, 'future.thing', {
      type: 'widget',
      id: 'w-1',
    });
    const [first] = (await audit(token)).json.entries as Entry[];
    expect(sentence(first as Entry)).toBe('Airlock did future.thing on widget w-1');
  });
});

describe('audit filters', () => {
  it('narrows by action, group, actor, target type and time, server-side', async () => {
    const { token } = await history();
    const all = (await audit(token)).json.total as number;
    const byGroup = await audit(token, '?action=credential.*');
    expect(byGroup.json.entries.length).toBeGreaterThan(0);
    expect(byGroup.json.entries.every((e: Entry) => e.action.startsWith('credential.'))).toBe(true);
    expect(byGroup.json.total).toBeLessThan(all);
    const exact = await audit(token, '?action=credential.delete');
    expect(exact.json.entries.map((e: Entry) => e.action)).toEqual(['credential.delete']);
    const agents = await audit(token, '?actor_type=agent');
    expect(new Set(agents.json.entries.map((e: Entry) => e.actor_type))).toEqual(
      new Set(['agent']),
    );
    const profiles = await audit(token, '?target_type=profile');
    expect(profiles.json.entries.map((e: Entry) => e.action)).toEqual([
      'profile.lock',
      'profile.attach',
      'profile.create',
    ]);
    // history(): setup and the locked profile at 12:00, the rest an hour later.
    const early = await audit(token, '?until=2026-11-28T12:30:00Z');
    const late = await audit(token, '?since=2026-11-28T12:30:00Z');
    expect(early.json.total + late.json.total).toBe(all);
    expect(late.json.entries.map((e: Entry) => e.action)).toEqual([
      'credential.delete',
      'credential.create',
      'credential.create_slots',
    ]);
    const combined = await audit(token, '?since=2026-11-28T12:30:00Z&actor_type=admin&limit=1');
    expect(combined.json.total).toBe(2);
    expect(combined.json.entries).toHaveLength(1);
    // A group whose name holds `_` matches only itself (no LIKE wildcard).
    recordAudit(ctx.deps, { type: 'admin', id: null, ip: null }, 'egressXca.rotate');
    expect((await audit(token, '?action=egress_ca.*')).json.total).toBe(0);
  });

  it('refuses a malformed filter with a clear 422', async () => {
    const token = await ctx.adminToken();
    for (const [query, field, words] of [
      ['?action=DROP%20TABLE', 'action', /profile\.lock/],
      ['?action=profile.%25', 'action', /profile\.\*/],
      ['?actor_type=root', 'actor_type', /admin/],
      ['?target_type=user', 'target_type', /credential/],
      ['?since=yesterday', 'since', /ISO-8601/],
      ['?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z', 'until', /before since/],
    ] as const) {
      for (const path of ['/api/admin/audit', '/api/admin/audit/export.csv']) {
        const r = await ctx.call('GET', `${path}${query}`, { token });
        expect(r.status, `${path}${query}`).toBe(422);
        expect(r.json.detail[0].loc).toEqual(['query', field]);
        expect(r.json.detail[0].msg).toMatch(words);
      }
    }
  });
});

describe('audit CSV export', () => {
  it('downloads the filtered entries as CSV, with their sentences, and never a secret', async () => {
    const { token, secret } = await history();
    const r = await ctx.call('GET', '/api/admin/audit/export.csv?action=credential.*', { token });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toBe(
      'attachment; filename="airlock-audit-2026-11-28.csv"',
    );
    // A UTF-8 byte order mark first, for spreadsheets (`text()` drops it).
    const raw = await ctx.app.request('/api/admin/audit/export.csv', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 4)]).toEqual([
      0xef, 0xbb, 0xbf, 0x61,
    ]);
    const [header, ...rows] = parseCsv(r.text);
    expect(header).toEqual([
      'at',
      'summary',
      'action',
      'actor_type',
      'actor_id',
      'client_ip',
      'target_type',
      'target_id',
      'detail',
    ]);
    const listed = await audit(token, '?action=credential.*');
    expect(rows.map((row) => row[1])).toEqual(listed.json.entries.map(sentence));
    expect(rows.map((row) => row[2])).toEqual(listed.json.entries.map((e: Entry) => e.action));
    expect(rows[0]?.[0]).toBe('2026-11-28T13:00:00Z');
    expect(JSON.parse(rows[0]?.[8] ?? '')).toEqual({ name: 'DOOMED' });
    for (const leak of ['billing-secret-value-1', 'doomed-secret-value-2', secret])
      expect(r.text).not.toContain(leak);
    const full = await ctx.call('GET', '/api/admin/audit/export.csv', { token });
    expect(parseCsv(full.text)).toHaveLength(1 + (await audit(token)).json.total);
    for (const leak of ['billing-secret-value-1', 'doomed-secret-value-2', secret])
      expect(full.text).not.toContain(leak);
  });

  it('escapes commas, quotes and line breaks, and neutralises formulas, in every cell', async () => {
    const token = await ctx.adminToken();
    const tricky = '=HYPERLINK("http://evil.example","click"), and\nmore';
    const p = await ctx.call('POST', '/api/admin/profiles', {
      token,
      body: { description: tricky },
    });
    expect(p.status).toBe(201);
    recordAudit(ctx.deps, { type: 'admin', id: '@SUM(A1)', ip: '-1+2' }, 'profile.lock', {
      type: 'profile',
      id: p.json.id,
    });
    const r = await ctx.call('GET', '/api/admin/audit/export.csv?target_type=profile', { token });
    const rows = parseCsv(r.text);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toHaveLength(9);
    const [, locked] = rows;
    expect(locked?.[1]).toBe(`Admin locked profile ‘${tricky}’ and was shown its key`);
    expect(locked?.[4]).toBe("'@SUM(A1)");
    expect(locked?.[5]).toBe("'-1+2");
    // Nothing in the file starts a cell with a formula character.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^\s*[=+\-@]/);
  });

  it('csvField quotes what needs quoting and prefixes formula starts', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    for (const start of ['=', '+', '-', '@']) expect(csvField(`${start}1+1`)).toBe(`'${start}1+1`);
    expect(csvField('  =1+1')).toBe("'  =1+1");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('\rx')).toBe(`"'\rx"`);
    expect(csvField('=A1,"x"')).toBe(`"'=A1,""x"""`);
    expect(csvField('1-2')).toBe('1-2');
  });

  it('needs an admin session', async () => {
    await ctx.adminToken();
    const r = await ctx.call('GET', '/api/admin/audit/export.csv');
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.text).not.toContain('admin.setup');
  });
});

describe('audit CSV export of a long log', () => {
  it('holds every matching record once, across its read batches', async () => {
    const token = await ctx.adminToken();
    for (let i = 0; i < 2300; i++)
      recordAudit(ctx.deps, { type: 'system', id: null, ip: null }, 'execution.network', {
        type: 'execution',
        id: `run-${i}`,
      });
    const r = await ctx.call('GET', '/api/admin/audit/export.csv?action=execution.network', {
      token,
    });
    const ids = parseCsv(r.text)
      .slice(1)
      .map((row) => row[7]);
    expect(ids).toHaveLength(2300);
    expect(new Set(ids).size).toBe(2300);
    expect(ids[0]).toBe('run-2299');
    expect(ids.at(-1)).toBe('run-0');
  });
});
