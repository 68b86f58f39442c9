import { variantsOf } from '@airlock/redactor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../test/harness.js';
import { agent } from './agent.js';

/**
 * security.md's must-mask list, end to end: each case is a Python script run through the real
 * server and the real sandbox; no variant of any stored secret may appear in stdout, stderr,
 * error or result as returned to the agent, in the stored database row, or in the admin API.
 */
const SECRETS = {
  API_TOKEN: 'Sup3r-S3cret_Value!xyz',
  JSON_NASTY: 'q"uo\\te\nline-ñ-ü-✓-end',
  PEM_KEY: [
    '-----BEGIN PRIVATE KEY-----',
    'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
    'VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu',
    '-----END PRIVATE KEY-----',
  ].join('\n'),
  SHORT_PREFIX: 'prefix-secret-0001',
  LONG_PREFIX: 'prefix-secret-0001-longer-one',
  OVERLAP_A: 'AAAA1111BBBB2222',
  OVERLAP_B: 'BBBB2222CCCC3333',
};
const OTHER_PROFILE_SECRET = 'other-profile-only-secret-77';

const ctx = createTestContext({ env: { AIRLOCK_MAX_OUTPUT_BYTES: String(2 * 1024 * 1024) } });
const capped = createTestContext({ env: { AIRLOCK_MAX_OUTPUT_BYTES: '4096' } });
let token: string;
let run: ReturnType<typeof agent>['run'];
let runCapped: ReturnType<typeof agent>['run'];
let cappedToken: string;

beforeAll(async () => {
  token = await ctx.adminToken();
  run = agent(ctx, await ctx.lockedProfile(token, SECRETS)).run;
  // Another profile whose credential this profile's scripts do not get.
  await ctx.lockedProfile(token, { OTHER_ONLY: OTHER_PROFILE_SECRET });
  cappedToken = await capped.adminToken();
  runCapped = agent(
    capped,
    await capped.lockedProfile(cappedToken, { API_TOKEN: SECRETS.API_TOKEN }),
  ).run;
});
afterAll(async () => {
  for (const c of [ctx, capped]) {
    await c.deps.executions.shutdown();
    c.close();
  }
});

const allValues = [...Object.values(SECRETS), OTHER_PROFILE_SECRET];
const forbidden = allValues.flatMap((v) => [
  v,
  ...variantsOf(v).map((x) => Buffer.from(x.bytes).toString('latin1')),
]);

/** Every place a result can be read back, as text. */
async function everywhere(
  c: ReturnType<typeof createTestContext>,
  adminToken: string,
  polled: Record<string, unknown>,
) {
  const id = polled.execution_id as string;
  const row = c.sqlite.prepare('SELECT * FROM executions WHERE id = ?').get(id);
  const exchanges = c.sqlite.prepare('SELECT * FROM llm_exchanges WHERE execution_id = ?').all(id);
  const admin = await c.call('GET', `/api/admin/executions/${id}`, { token: adminToken });
  return [JSON.stringify(polled), JSON.stringify(row), JSON.stringify(exchanges), admin.text].join(
    '\n',
  );
}

function assertClean(text: string, label: string) {
  const latin1 = Buffer.from(text, 'utf8').toString('latin1');
  for (const f of forbidden) {
    expect(latin1.includes(f) || text.includes(f), `${label}: a secret variant survived`).toBe(
      false,
    );
  }
}

const S = "s = settings['API_TOKEN']\n";
const cases: [string, string, RegExp][] = [
  ['print the value', `${S}print(s)`, /\[REDACTED:API_TOKEN\]/],
  ['twice on a line', `${S}print(s, s)`, /\[REDACTED:API_TOKEN\] \[REDACTED:API_TOKEN\]/],
  [
    'at start and end without newline',
    `${S}import sys\nsys.stdout.write(s + ' middle ' + s)`,
    /(^|\n)\[REDACTED:API_TOKEN\] middle \[REDACTED:API_TOKEN\]\n/,
  ],
  ['to stderr', `${S}import sys\nprint(s, file=sys.stderr)`, /REDACTED/],
  [
    'os.environ-style dict repr',
    `${S}import os\nprint(dict(os.environ, TOKEN=s, OTHER=settings['JSON_NASTY']))`,
    /REDACTED/,
  ],
  [
    'json.dumps with quotes, backslashes, newline, non-ASCII',
    "import json\nv = settings['JSON_NASTY']\nprint(json.dumps(v))\nprint(json.dumps(v, ensure_ascii=False))\nprint(json.dumps({'k': v}))",
    /REDACTED:JSON_NASTY/,
  ],
  ['traceback from int(value)', `${S}int(s)`, /REDACTED/],
  ['raise KeyError(value)', `${S}raise KeyError(s)`, /REDACTED/],
  [
    'urllib quote and quote_plus',
    `${S}from urllib.parse import quote, quote_plus\nprint(quote(s), quote_plus(s), quote(settings['JSON_NASTY']))`,
    /REDACTED/,
  ],
  [
    'base64 with prefixes 0..5 and trailing newline',
    `${S}import base64\nfor p in range(6):\n    print(base64.b64encode(b'x' * p + s.encode() + b'\\n').decode())`,
    /REDACTED/,
  ],
  [
    'URL-safe base64',
    `${S}import base64\nprint(base64.urlsafe_b64encode(('user:' + s).encode()).decode())`,
    /REDACTED/,
  ],
  ['hex lower and upper', `${S}print(s.encode().hex(), s.encode().hex().upper())`, /REDACTED/],
  [
    'PEM whole, line by line, with CRLF',
    "pem = settings['PEM_KEY']\nprint(pem)\nfor line in pem.splitlines():\n    print(line)\nprint(pem.replace('\\n', '\\r\\n'))",
    /REDACTED:PEM_KEY/,
  ],
  [
    'one character per write with flush',
    `${S}import sys\nfor ch in s:\n    sys.stdout.write(ch)\n    sys.stdout.flush()`,
    /REDACTED/,
  ],
  [
    'one character per write with a sleep between',
    `${S}import sys, time\nfor ch in s:\n    sys.stdout.write(ch); sys.stdout.flush(); time.sleep(0.01)`,
    /REDACTED/,
  ],
  [
    'one secret a prefix of another',
    "print(settings['SHORT_PREFIX'])\nprint(settings['LONG_PREFIX'])\nprint(settings['LONG_PREFIX'] + settings['SHORT_PREFIX'])",
    /REDACTED:LONG_PREFIX/,
  ],
  ['two overlapping secrets', "print('AAAA1111BBBB2222CCCC3333')", /REDACTED/],
  ["another profile's secret", `print('leak: ${OTHER_PROFILE_SECRET}')`, /REDACTED:OTHER_ONLY/],
  [
    '1 MiB of random bytes with the value inside and invalid UTF-8 around it',
    `${S}import os, sys\nsys.stdout.buffer.write(os.urandom(512 * 1024) + b'\\xff\\xfe' + s.encode() + b'\\xc3' + os.urandom(512 * 1024))`,
    /REDACTED/,
  ],
  [
    'the value inside set_result (keys and values)',
    `${S}set_result({s: [s, {'k': s, 'n': 1}], 'plain': 'ok ' + s})`,
    /REDACTED/,
  ],
];

describe('must-mask cases through the real sandbox and server', () => {
  for (const [label, script, marker] of cases) {
    it(label, async () => {
      const polled = await run(script);
      expect(['completed', 'error']).toContain(polled.status);
      const visible = [
        polled.stdout,
        polled.stderr,
        polled.error ?? '',
        JSON.stringify(polled.result),
      ].join('\n');
      expect(visible).toMatch(marker);
      assertClean(await everywhere(ctx, token, polled), label);
    });
  }

  it('a value straddling the output cap', async () => {
    const polled = await runCapped(`${S}import sys\nsys.stdout.write('x' * 4090 + s + 'tail')`);
    expect(polled.stdout).toMatch(/output truncated/);
    expect(polled.stdout.startsWith('x'.repeat(4090))).toBe(true);
    assertClean(await everywhere(capped, cappedToken, polled), 'straddling the cap');
  });

  it('counts redactions per credential name for the admin, not for the agent', async () => {
    const polled = await run(`${S}print(s, s)\nprint(settings['PEM_KEY'])`);
    expect(JSON.stringify(polled)).not.toContain('redaction');
    const detail = await ctx.call('GET', `/api/admin/executions/${polled.execution_id}`, { token });
    expect(detail.json.redaction_counts.API_TOKEN).toBe(2);
    expect(detail.json.redaction_counts.PEM_KEY).toBeGreaterThanOrEqual(1);
  });
});
