/**
 * Network mode `egress`: the sandbox keeps its empty network namespace, and its one way out is a
 * host unix socket (Airlock's egress proxy). This suite checks the plumbing with a stand-in
 * proxy on that socket: ordinary clients (urllib for http:// and https://, a raw CONNECT) reach
 * it, DNS does not work inside, nothing else is reachable, nothing is left behind.
 */
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftovers, run, TEST_BACKEND, testSandbox, text } from './helpers.js';

const sandbox = testSandbox();
const dir = mkdtempSync(join(tmpdir(), 'airlock-egress-'));
chmodSync(dir, 0o755);
const socketPath = join(dir, 'egress.sock');
const heads: string[] = [];
let proxy: Server;

beforeAll(async () => {
  // Records each request head; answers CONNECT with 200 and then echoes, http:// with a page.
  proxy = createServer((s: Socket) => {
    let buf = '';
    const onData = (c: Buffer) => {
      buf += c.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      const head = buf.slice(0, end);
      heads.push(head.split('\r\n')[0] as string);
      if (head.startsWith('CONNECT ')) {
        s.write('HTTP/1.1 200 Connection established\r\n\r\n');
        s.on('data', (d: Buffer) => s.write(d));
        s.on('end', () => s.end());
      } else if (head.includes('denied.test')) {
        s.end(
          'HTTP/1.1 403 Airlock egress denied: host is not in the allowlist\r\nContent-Length: 0\r\n\r\n',
        );
      } else {
        s.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
      }
    };
    s.on('data', onData);
    s.on('error', () => {});
  });
  proxy.listen(socketPath);
  await once(proxy, 'listening');
  chmodSync(socketPath, 0o666);
});

afterAll(() => {
  proxy.close();
  rmSync(dir, { recursive: true, force: true });
});

const egress = {
  network: {
    mode: 'egress' as const,
    socket: socketPath,
    names: ['db.example.test', '*.svc.test'],
  },
};

describe(`network egress plumbing (${TEST_BACKEND})`, () => {
  it('http:// through the proxy with ordinary urllib; the proxy sees the absolute URL', async () => {
    const r = await run(
      sandbox,
      'import urllib.request, os\nprint(os.environ["HTTPS_PROXY"])\nset_result(urllib.request.urlopen("http://api.example.test/v1?x=1", timeout=10).read().decode())',
      egress,
    );
    expect(r).toMatchObject({ status: 'completed', result: 'hello' });
    expect(text(r.stdout)).toBe('http://127.0.0.1:3128\n');
    expect(heads).toContain('GET http://api.example.test/v1?x=1 HTTP/1.1');
  });

  it('a raw CONNECT tunnel carries bytes both ways (what https:// and TCP clients use)', async () => {
    const r = await run(
      sandbox,
      [
        'import socket',
        's = socket.create_connection(("127.0.0.1", 3128), timeout=10)',
        's.sendall(b"CONNECT db.example.test:5432 HTTP/1.1\\r\\nHost: db.example.test:5432\\r\\n\\r\\n")',
        'status = s.recv(100)',
        's.sendall(b"x" * 300000)',
        's.shutdown(socket.SHUT_WR)',
        'got = b""',
        'while True:',
        '    d = s.recv(65536)',
        '    if not d: break',
        '    got += d',
        'set_result([status.decode().split("\\r\\n")[0], len(got)])',
      ].join('\n'),
      egress,
    );
    expect(r).toMatchObject({
      status: 'completed',
      result: ['HTTP/1.1 200 Connection established', 300000],
    });
    expect(heads).toContain('CONNECT db.example.test:5432 HTTP/1.1');
  });

  it('plain TCP clients need no proxy support: names and IPs become CONNECT requests', async () => {
    const r = await run(
      sandbox,
      [
        'import socket',
        'out = {}',
        'def echo(addr):',
        '    s = socket.create_connection(addr, timeout=10)',
        '    s.sendall(b"hello")',
        '    return s.recv(5).decode()',
        'out["name"] = echo(("db.example.test", 5432))',
        'out["wildcard"] = echo(("cache.svc.test", 6379))',
        'out["ip"] = echo(("10.1.2.3", 6379))',
        // Nothing listens on the sandbox's own loopback: the host's, through the policy.
        'out["loopback"] = echo(("127.0.0.1", 9999))',
        'out["resolved"] = socket.getaddrinfo("db.example.test", 5432)[0][4][0]',
        'try:',
        '    socket.getaddrinfo("other.test", 443)',
        'except socket.gaierror as e:',
        '    out["other"] = str(e)',
        'set_result(out)',
      ].join('\n'),
      egress,
    );
    expect(r).toMatchObject({
      status: 'completed',
      result: {
        name: 'hello',
        wildcard: 'hello',
        ip: 'hello',
        loopback: 'hello',
        resolved: expect.stringMatching(/^198\.1[89]\./),
        other: expect.stringMatching(/other\.test is not in this profile's network policy/),
      },
    });
    for (const t of [
      'db.example.test:5432',
      'cache.svc.test:6379',
      '10.1.2.3:6379',
      '127.0.0.1:9999',
    ])
      expect(heads).toContain(`CONNECT ${t} HTTP/1.1`);
  });

  it('a denial reads as the proxy`s 403, DNS fails inside, nothing else is reachable', async () => {
    const r = await run(
      sandbox,
      [
        'import socket, urllib.request, urllib.error',
        'out = {}',
        'try:',
        '    urllib.request.urlopen("http://denied.test/", timeout=10)',
        'except urllib.error.HTTPError as e:',
        '    out["denied"] = [e.code, e.reason]',
        'try:',
        '    _socket_mod = __import__("_socket")',
        '    _socket_mod.getaddrinfo("example.com", 443)',
        '    out["dns"] = "resolved"',
        'except OSError as e:',
        '    out["dns"] = type(e).__name__',
        // Under the runtime's routing, the one way out is the relay: a raw socket of the C
        // library (here: _socket, which the routing does not touch) finds no route at all.
        'import _socket',
        'raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)',
        'raw.settimeout(2)',
        'try:',
        '    raw.connect(("1.1.1.1", 443))',
        '    out["direct"] = "connected"',
        'except OSError as e:',
        '    out["direct"] = type(e).__name__',
        'set_result(out)',
      ].join('\n'),
      egress,
    );
    expect(r).toMatchObject({
      status: 'completed',
      result: {
        denied: [403, 'Airlock egress denied: host is not in the allowlist'],
        dns: 'gaierror',
        direct: 'OSError',
      },
    });
    expect(leftovers(sandbox)).toEqual([]);
  });

  it('a trust bundle replaces the system roots for every client, a packaged certifi included', async () => {
    const bundle = join(dir, 'trust.pem');
    writeFileSync(bundle, '# airlock test trust bundle\n', { mode: 0o644 });
    // A certifi installed as a package ships its own bundle; the runtime points it (or the one a
    // site .pth file imported at startup, as on some hosts) at ours.
    const pkgs = join(dir, 'pkgs');
    mkdirSync(join(pkgs, 'certifi'), { recursive: true, mode: 0o755 });
    writeFileSync(
      join(pkgs, 'certifi', '__init__.py'),
      'def where():\n    return "/its/own/cacert.pem"\n',
      { mode: 0o644 },
    );
    chmodSync(pkgs, 0o755);
    chmodSync(join(pkgs, 'certifi'), 0o755);
    const r = await run(
      sandbox,
      [
        'import os, certifi',
        'set_result({',
        '  "env": [os.environ[k] for k in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")],',
        '  "system": open("/etc/ssl/certs/ca-certificates.crt").read(),',
        '  "certifi": certifi.where(),',
        '})',
      ].join('\n'),
      { ...egress, network: { ...egress.network, trust: bundle }, packages: [pkgs] },
    );
    if (r.status !== 'completed') throw new Error(text(r.stderr));
    // Inside, the bundle is bound over the system one, which is what every client is told.
    const inside = '/etc/ssl/certs/ca-certificates.crt';
    expect(r.result).toEqual({
      env: [inside, inside, inside],
      system: '# airlock test trust bundle\n',
      certifi: inside,
    });
    // Without a trust bundle nothing changes: the system's roots, no variables.
    const plain = await run(
      sandbox,
      'import os\nset_result([os.environ.get("SSL_CERT_FILE"), len(open("/etc/ssl/certs/ca-certificates.crt").read()) > 1000])',
      egress,
    );
    expect(plain).toMatchObject({ status: 'completed', result: [null, true] });
  });
});
