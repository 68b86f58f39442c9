import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PublicTestHost, publicTestHost } from '../test/public-netns.js';
import {
  lockedProfileOn,
  SPAWNED_PASSWORD,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../test/spawn-server.js';

/**
 * Brokered credentials through the server users run (real sandbox, real Python, ordinary
 * clients), against upstreams of the test's own at a public address in a network namespace:
 * plain HTTP, HTTPS with a certificate from a test CA (passed to the proxy's upstream
 * verification with AIRLOCK_EGRESS_CA_FILE), and HTTPS with a certificate nobody vouches for.
 * Names are pinned to that address with AIRLOCK_EGRESS_RESOLVE. Each upstream echoes the whole
 * request back and logs what it received.
 */
const root = traversableTempDir('airlock-brokered-');
const VALUE = 'sk_live_51BrokeredValue0123456789abcdefXYZ';
const INJECTED = 'injected-db-password-0123456789';
const HOSTS = ['api.brokered.test', 'other.brokered.test', 'bad.brokered.test'];
let upstream: PublicTestHost;
let server: SpawnedServer;
let ports: { plain: number; good: number; bad: number };
const received = join(root, 'received.jsonl');
const testCa = join(root, 'test-ca.pem');

const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

/** A test CA, a leaf it signs for the three names, and a self-signed leaf nobody trusts. */
function makeCertificates() {
  const subj = (cn: string) => ['-subj', `/CN=${cn}`];
  /** A new P-256 key, unencrypted, written to `file` in the test's directory. */
  const newKey = (file: string) => [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    join(root, file),
  ];
  const san = join(root, 'san.cnf');
  writeFileSync(
    san,
    `basicConstraints=CA:FALSE\nsubjectAltName=${HOSTS.map((h) => `DNS:${h}`).join(',')}\n`,
  );
  openssl(
    'req',
    '-x509',
    ...newKey('ca.key'),
    '-out',
    testCa,
    '-days',
    '2',
    ...subj('upstream test CA'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  openssl(
    'req',
    '-new',
    ...newKey('good.key'),
    '-out',
    join(root, 'good.csr'),
    ...subj(HOSTS[0] as string),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    join(root, 'good.csr'),
    '-CA',
    testCa,
    '-CAkey',
    join(root, 'ca.key'),
    '-CAcreateserial',
    '-out',
    join(root, 'good.pem'),
    '-days',
    '2',
    '-extfile',
    san,
  );
  openssl(
    'req',
    '-x509',
    ...newKey('bad.key'),
    '-out',
    join(root, 'bad.pem'),
    '-days',
    '2',
    ...subj(HOSTS[2] as string),
    '-addext',
    `subjectAltName=DNS:${HOSTS[2]}`,
  );
}

/** Three echo servers (plain, good TLS, bad TLS) that log every request as a JSON line. */
const ECHO = (address: string) =>
  [
    'import http.server, json, ssl, sys, threading',
    `LOG = ${JSON.stringify(received)}`,
    'lock = threading.Lock()',
    'class H(http.server.BaseHTTPRequestHandler):',
    '    protocol_version = "HTTP/1.1"',
    '    def handle_any(self):',
    '        n = int(self.headers.get("Content-Length") or 0)',
    '        body = self.rfile.read(n).decode("utf-8", "replace")',
    '        seen = {"port": self.server.server_port, "path": self.path,',
    '                "headers": dict(self.headers.items()), "body": body}',
    '        with lock, open(LOG, "a") as f:',
    '            f.write(json.dumps(seen) + "\\n")',
    '        out = json.dumps(seen).encode()',
    '        self.send_response(200)',
    '        self.send_header("Content-Type", "application/json")',
    '        self.send_header("Content-Length", str(len(out)))',
    '        self.send_header("X-Echo-Authorization", self.headers.get("Authorization", ""))',
    '        self.end_headers()',
    '        self.wfile.write(out)',
    '    do_GET = do_POST = handle_any',
    '    def log_message(self, *a): pass',
    'def serve(cert=None, key=None):',
    `    s = http.server.ThreadingHTTPServer(("${address}", 0), H)`,
    '    if cert:',
    '        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)',
    '        ctx.load_cert_chain(cert, key)',
    '        s.socket = ctx.wrap_socket(s.socket, server_side=True)',
    '    threading.Thread(target=s.serve_forever, daemon=True).start()',
    '    return s.server_port',
    `p = [serve(), serve(${JSON.stringify(join(root, 'good.pem'))}, ${JSON.stringify(join(root, 'good.key'))}),`,
    `     serve(${JSON.stringify(join(root, 'bad.pem'))}, ${JSON.stringify(join(root, 'bad.key'))})]`,
    'print(" ".join(map(str, p)), flush=True)',
    'threading.Event().wait()',
  ].join('\n');

function serverEnv(): Record<string, string> {
  return {
    AIRLOCK_EGRESS_RESOLVE: HOSTS.map((h) => `${h}=${upstream.address}`).join(','),
    AIRLOCK_EGRESS_CA_FILE: testCa,
  };
}

function policy() {
  return {
    mode: 'allowlist',
    allow: [
      `api.brokered.test:${ports.plain},${ports.good}`,
      `other.brokered.test:${ports.plain}`,
      `bad.brokered.test:${ports.bad}`,
    ],
  };
}

const broker = () => ({
  mode: 'broker',
  hosts: [`api.brokered.test:${ports.plain},${ports.good}`, `bad.brokered.test:${ports.bad}`],
});

const seen = (): {
  port: number;
  path: string;
  headers: Record<string, string>;
  body: string;
}[] => {
  try {
    return readFileSync(received, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
};

/** Every form of the value a dump could hide it in. */
const forms = (v: string) => [
  v,
  [...v].reverse().join(''),
  Buffer.from(v).toString('hex'),
  Buffer.from(v).toString('base64').slice(0, -4),
  Buffer.from(v.slice(8)).toString('hex'),
];

beforeAll(async () => {
  makeCertificates();
  upstream = await publicTestHost(ECHO);
  const [plain, good, bad] = upstream.ports as [number, number, number];
  ports = { plain, good, bad };
  server = await spawnServer(join(root, 'data'), serverEnv());
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('brokered credentials through the spawned server', () => {
  it('the upstream gets the value, the script only a placeholder it cannot turn into the value', async () => {
    const p = await lockedProfileOn(
      server,
      { STRIPE_KEY: VALUE, DB_PASSWORD: INJECTED },
      { network: policy(), delivery: { STRIPE_KEY: broker() } },
    );
    rmSync(received, { force: true });
    const api = `api.brokered.test:${ports.good}`;
    const script = [
      'import base64, json, subprocess, urllib.request, urllib.error, httpx, requests',
      'ph = settings["STRIPE_KEY"]',
      'out = {"placeholder": ph, "injected": settings["DB_PASSWORD"]}',
      'def call(url, headers=None, data=None):',
      '    req = urllib.request.Request(url, headers=headers or {}, data=data)',
      '    try:',
      '        r = urllib.request.urlopen(req, timeout=20)',
      '        return {"status": r.status, "headers": dict(r.headers.items()), "body": r.read().decode()}',
      '    except urllib.error.HTTPError as e:',
      '        return {"status": e.code, "body": e.read().decode()}',
      'basic = base64.b64encode(("user:" + ph).encode()).decode()',
      `out["bearer"] = call("https://${api}/v1/charges?key=" + ph,`,
      '    {"Authorization": "Bearer " + ph, "X-Api-Key": ph, "X-Db": settings["DB_PASSWORD"]})',
      `out["basic"] = call("https://${api}/basic", {"Authorization": "Basic " + basic})`,
      `out["json"] = call("https://${api}/json", {"Content-Type": "application/json"},`,
      '    json.dumps({"token": ph}).encode())',
      `out["plain"] = call("http://api.brokered.test:${ports.plain}/plain", {"Authorization": "Bearer " + ph})`,
      `out["other"] = call("http://other.brokered.test:${ports.plain}/other", {"Authorization": "Bearer " + ph})`,
      `out["bad"] = call("https://bad.brokered.test:${ports.bad}/bad", {"Authorization": "Bearer " + ph})`,
      // Other clients: httpx, requests (its own CA bundle setting), curl.
      'out["httpx"] = httpx.get("https://' +
        api +
        '/httpx", headers={"Authorization": "Bearer " + ph}, timeout=20).status_code',
      'out["requests"] = requests.get("https://' +
        api +
        '/requests", headers={"Authorization": "Bearer " + ph}, timeout=20).status_code',
      'out["curl"] = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer " + ph,',
      `    "https://${api}/curl"], capture_output=True, text=True, timeout=30).stdout`,
      // Everything the script received, in forms output redaction would not recognise.
      'blob = json.dumps(out).encode()',
      'out["dumps"] = {"reversed": blob[::-1].decode(), "hex": blob.hex(),',
      '    "base64": base64.b64encode(blob).decode(), "xor": bytes(b ^ 1 for b in blob).hex()}',
      'set_result(out)',
    ].join('\n');
    const id = (await p.execute(script)).json.execution_id as string;
    const done = await p.waitDone(id);
    expect(done.status, JSON.stringify(done)).toBe('completed');
    const r = done.result;

    // The upstream received the value in every place it was put.
    const got = seen();
    const at = (path: string) => got.find((g) => g.path.startsWith(path));
    expect(at('/v1/charges')?.path).toBe(`/v1/charges?key=${VALUE}`);
    expect(at('/v1/charges')?.headers.Authorization).toBe(`Bearer ${VALUE}`);
    expect(at('/v1/charges')?.headers['X-Api-Key']).toBe(VALUE);
    expect(at('/v1/charges')?.headers['X-Db']).toBe(INJECTED);
    expect(at('/basic')?.headers.Authorization).toBe(
      `Basic ${Buffer.from(`user:${VALUE}`).toString('base64')}`,
    );
    expect(JSON.parse(at('/json')?.body ?? '{}')).toEqual({ token: VALUE });
    expect(at('/plain')?.headers.Authorization).toBe(`Bearer ${VALUE}`);
    for (const path of ['/httpx', '/requests', '/curl'])
      expect(at(path)?.headers.Authorization, path).toBe(`Bearer ${VALUE}`);
    expect([r.httpx, r.requests, r.curl]).toEqual([200, 200, '200']);

    // The placeholder: fresh, shaped like the value, never the value.
    expect(r.placeholder).toMatch(/^sk_live_[A-Za-z0-9]{32}$/);
    expect(r.placeholder).not.toBe(VALUE);
    expect(r.injected).toBe('[REDACTED:DB_PASSWORD]');
    // Sent to an allowed host it is not bound to: arrives unchanged.
    expect(at('/other')?.headers.Authorization).toBe(`Bearer ${r.placeholder}`);
    // An upstream certificate that does not verify: fails closed, nothing arrives.
    expect(r.bad.status).toBe(502);
    expect(r.bad.body).toContain('failed verification');
    expect(at('/bad')).toBeUndefined();

    // The echoes came back scrubbed before they entered the sandbox (body and headers).
    expect(r.bearer.status).toBe(200);
    expect(r.bearer.headers['X-Echo-Authorization']).toBe('Bearer [REDACTED:STRIPE_KEY]');
    expect(r.bearer.body).toContain('[REDACTED:STRIPE_KEY]');
    // No form of the value anywhere in what the script had, however it was transformed.
    const decoded = [
      JSON.stringify(r),
      [...r.dumps.reversed].reverse().join(''),
      Buffer.from(r.dumps.hex, 'hex').toString(),
      Buffer.from(r.dumps.base64, 'base64').toString(),
      Buffer.from(Buffer.from(r.dumps.xor, 'hex').map((b) => b ^ 1)).toString(),
    ].join('\n');
    for (const f of forms(VALUE)) expect(decoded).not.toContain(f);
    // Output redaction had nothing of the brokered value to mask (the injected one, yes).
    const admin = (await server.api('GET', `/api/admin/executions/${id}`, undefined, p.admin)).json;
    expect(admin.redaction_counts.STRIPE_KEY).toBeUndefined();

    // The connection log: per request, which credentials were put in; names only.
    const logged = done.network as {
      host: string;
      port: number;
      brokered?: { requests: { substituted: string[]; status: number }[] };
      placeholders?: string[];
    }[];
    const charges = logged.find((n) => n.host === 'api.brokered.test' && n.port === ports.good);
    expect(charges?.brokered?.requests[0]).toMatchObject({
      substituted: ['STRIPE_KEY'],
      status: 200,
    });
    expect(logged.find((n) => n.host === 'other.brokered.test')?.placeholders).toEqual([
      'STRIPE_KEY',
    ]);
    expect(JSON.stringify(admin.network)).not.toContain(VALUE);
    const audit = (await server.api('GET', '/api/admin/audit?limit=200', undefined, p.admin)).json;
    const entry = audit.entries.find(
      (e: { action: string; target_id: string }) =>
        e.action === 'execution.network' && e.target_id === id,
    );
    // urllib ×5 over TLS and in clear, httpx, requests, curl, and the refused one.
    expect(entry.detail.brokered_requests).toBeGreaterThanOrEqual(8);
    expect(server.log()).not.toContain(VALUE);
  }, 120_000);

  it('agents see the delivery; a lock whose policy cannot reach a brokered host is refused', async () => {
    const list = (await server.api('GET', '/credentials')).json.credentials as {
      name: string;
      delivery: unknown;
    }[];
    expect(list.find((c) => c.name === 'STRIPE_KEY')?.delivery).toEqual(broker());
    expect(list.find((c) => c.name === 'DB_PASSWORD')?.delivery).toEqual({ mode: 'inject' });
    const skill = await (await fetch(`${server.url}/skill.md`)).text();
    expect(skill).toMatch(/STRIPE_KEY.*placeholder/);

    await expect(
      lockedProfileOn(
        server,
        { NARROW_KEY: 'narrow-value-0123456789' },
        {
          network: { mode: 'allowlist', allow: [`api.brokered.test:${ports.good}`] },
          delivery: { NARROW_KEY: broker() },
        },
      ),
    ).rejects.toThrow(
      /409.*NARROW_KEY is brokered to api\.brokered\.test.*port \d+ is not allowed/,
    );
    const bad = await server.api(
      'PUT',
      '/api/admin/credentials/DB_PASSWORD',
      { delivery: { mode: 'broker', hosts: ['10.0.0.1'] } },
      await adminHeaders(server),
    );
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.json)).toContain('host names');
  }, 60_000);

  it('the instance CA survives a restart and an export/import; rotating it keeps runs working', async () => {
    const admin = await adminHeaders(server);
    const before = (await server.api('GET', '/api/admin/egress-ca', undefined, admin)).json;
    expect(before.certificate).toMatch(/BEGIN CERTIFICATE/);
    expect(JSON.stringify(before)).not.toMatch(/PRIVATE KEY/);
    await server.stop();
    server = await spawnServer(join(root, 'data'), serverEnv());
    const after = (
      await server.api('GET', '/api/admin/egress-ca', undefined, await adminHeaders(server))
    ).json;
    expect(after.fingerprint_sha256).toBe(before.fingerprint_sha256);

    // Export, import into a fresh instance (overwrite): the same CA, and brokering works there.
    const file = await fetch(`${server.url}/api/admin/export`, {
      method: 'POST',
      headers: { ...(await adminHeaders(server)), 'content-type': 'application/json' },
      body: JSON.stringify({ passphrase: 'a long export passphrase 123' }),
    });
    expect(file.status).toBe(200);
    const exported = Buffer.from(await file.arrayBuffer());
    const second = await spawnServer(join(root, 'second'), serverEnv());
    try {
      const h2 = await adminHeaders(second);
      const fresh = (await second.api('GET', '/api/admin/egress-ca', undefined, h2)).json;
      expect(fresh.fingerprint_sha256).not.toBe(before.fingerprint_sha256);
      const imported = await second.api(
        'POST',
        '/api/admin/import',
        {
          file: exported.toString('base64'),
          passphrase: 'a long export passphrase 123',
          strategy: 'overwrite',
        },
        h2,
      );
      expect(imported.status, JSON.stringify(imported.json)).toBe(200);
      expect(imported.json.egress_ca).toBe('different');
      const now = (await second.api('GET', '/api/admin/egress-ca', undefined, h2)).json;
      expect(now.fingerprint_sha256).toBe(before.fingerprint_sha256);
      const creds = (await second.api('GET', '/credentials')).json.credentials;
      expect(creds.find((c: { name: string }) => c.name === 'STRIPE_KEY')?.delivery).toEqual(
        broker(),
      );
    } finally {
      await second.stop();
    }

    // Rotation: a new CA; the next run trusts it and brokering still works.
    const rotated = (
      await server.api('POST', '/api/admin/egress-ca/rotate', undefined, await adminHeaders(server))
    ).json;
    expect(rotated.fingerprint_sha256).not.toBe(before.fingerprint_sha256);
    const p = await lockedProfileOn(
      server,
      { ROTATED_KEY: 'rotated-value-0123456789abcdef' },
      { network: policy(), delivery: { ROTATED_KEY: broker() } },
    );
    rmSync(received, { force: true });
    const id = (
      await p.execute(
        [
          'import urllib.request',
          `r = urllib.request.urlopen(urllib.request.Request("https://api.brokered.test:${ports.good}/rotated",`,
          '    headers={"Authorization": "Bearer " + settings["ROTATED_KEY"]}), timeout=20)',
          'set_result(r.status)',
        ].join('\n'),
      )
    ).json.execution_id as string;
    const done = await p.waitDone(id);
    expect(done.result, JSON.stringify(done)).toBe(200);
    expect(seen().find((g) => g.path === '/rotated')?.headers.Authorization).toBe(
      'Bearer rotated-value-0123456789abcdef',
    );
  }, 180_000);
});

async function adminHeaders(s: SpawnedServer): Promise<Record<string, string>> {
  const token = (await s.api('POST', '/api/admin/login', { password: SPAWNED_PASSWORD })).json
    .token as string;
  return { authorization: `Bearer ${token}` };
}
