/**
 * The proxy with real sockets: test servers on 127.0.0.1 (reachable only through IP entries,
 * as any loopback address), a client speaking HTTP proxy requests as httpx or requests do.
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy, parsePolicy } from './policy.js';
import { createEgressSession, type EgressOptions, parseRequestHead } from './proxy.js';

let echo: Server;
let echoPort = 0;
let web: HttpServer;
let webPort = 0;
let proxy: Server;
let proxyPort = 0;
let options: EgressOptions;
let session: ReturnType<typeof createEgressSession>;

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as { port: number }).port;
  web = createHttpServer((req, res) => res.end(`hello ${req.method} ${req.url}`));
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  webPort = (web.address() as { port: number }).port;
  // The proxy itself listens on TCP here (in production: a unix socket per run).
  proxy = createServer((s) => session.handle(s));
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  proxyPort = (proxy.address() as { port: number }).port;
});

afterAll(() => {
  echo.close();
  web.close();
  proxy.close();
});

function use(policy: unknown, extra: Partial<EgressOptions> = {}) {
  options = {
    policy: compilePolicy(parsePolicy(policy)),
    ownPorts: [proxyPort],
    resolve: async (host) =>
      host === 'loopback.test'
        ? ['127.0.0.1']
        : host === 'pub.test'
          ? ['1.1.1.1']
          : Promise.reject(new Error('NXDOMAIN')),
    ...extra,
  };
  session = createEgressSession(options);
}

/** Sends a request head, returns the socket and the first response bytes. */
async function request(head: string): Promise<{ sock: Socket; first: string }> {
  const sock = connect(proxyPort, '127.0.0.1');
  await once(sock, 'connect');
  sock.write(head);
  const [chunk] = (await once(sock, 'data')) as [Buffer];
  return { sock, first: chunk.toString() };
}

const tunnel = (host: string, port: number) =>
  request(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);

describe('the egress proxy', () => {
  it('tunnels an allowed raw TCP port (IP entry) and counts the bytes', async () => {
    use({ mode: 'allowlist', allow: [`127.0.0.1:${echoPort}`] });
    const { sock, first } = await tunnel('127.0.0.1', echoPort);
    expect(first).toBe('HTTP/1.1 200 Connection established\r\n\r\n');
    sock.write('ping');
    const [back] = (await once(sock, 'data')) as [Buffer];
    expect(back.toString()).toBe('ping');
    sock.end();
    await once(sock, 'close');
    await new Promise((r) => setTimeout(r, 20));
    expect(session.records()).toEqual([
      expect.objectContaining({
        host: '127.0.0.1',
        port: echoPort,
        verdict: 'allowed',
        address: '127.0.0.1',
        bytesUp: 4,
        bytesDown: 4,
      }),
    ]);
  });

  it('forwards an absolute-form http:// request in origin form', async () => {
    use({ mode: 'allowlist', allow: [`127.0.0.1:${webPort}`] });
    const { sock, first } = await request(
      `GET http://127.0.0.1:${webPort}/path?q=1 HTTP/1.1\r\nHost: 127.0.0.1:${webPort}\r\nProxy-Connection: keep-alive\r\n\r\n`,
    );
    let all = first;
    sock.on('data', (c: Buffer) => {
      all += c.toString();
    });
    await once(sock, 'close');
    expect(all).toMatch(/^HTTP\/1.1 200 OK/);
    expect(all).toContain('hello GET /path?q=1');
    // The head sent on (origin form, the proxy's own headers dropped) counts as bytes up.
    const sent = `GET /path?q=1 HTTP/1.1\r\nHost: 127.0.0.1:${webPort}\r\n`;
    expect(session.records()[0]?.bytesUp).toBeGreaterThanOrEqual(sent.length);
  });

  it("counts forwarded request heads against the run's bytes", async () => {
    use({ mode: 'allowlist', allow: [`127.0.0.1:${webPort}`] }, { limits: { bytes: 500 } });
    // Cut before anything is sent on: the script's socket closes without an answer.
    const sock = connect(proxyPort, '127.0.0.1');
    await once(sock, 'connect');
    let answer = '';
    sock.on('data', (c: Buffer) => {
      answer += c.toString();
    });
    sock.on('error', () => {});
    sock.write(
      `GET http://127.0.0.1:${webPort}/ HTTP/1.1\r\nHost: 127.0.0.1:${webPort}\r\nX-Pad: ${'p'.repeat(800)}\r\n\r\n`,
    );
    await once(sock, 'close');
    expect(answer).not.toContain('hello');
    expect(session.records()[0]).toMatchObject({
      verdict: 'allowed',
      reason: 'more than 500 bytes in this run',
    });
  });

  it.each([
    [
      { mode: 'allowlist', allow: ['127.0.0.1:1'] },
      () => echoPort,
      'port',
      /port \d+ is not allowed for this host/,
    ],
    [
      { mode: 'allowlist', allow: ['api.example.com'] },
      () => echoPort,
      'host',
      /host is not in the allowlist/,
    ],
    [{ mode: 'none' }, () => echoPort, 'off', /network is off for this profile/],
  ])('denies with the reason in the status line (%j)', async (policy, port, _what, reason) => {
    use(policy);
    const { sock, first } = await tunnel('127.0.0.1', port());
    expect(first).toMatch(/^HTTP\/1.1 403 Airlock egress denied: /);
    expect(first.split('\r\n')[0]).toMatch(reason);
    await once(sock, 'close');
    expect(session.records()[0]).toMatchObject({
      verdict: 'denied',
      reason: expect.stringMatching(reason),
    });
  });

  it('a listed name that resolves to loopback is refused; open mode never reaches loopback', async () => {
    use({ mode: 'allowlist', allow: [`loopback.test:${echoPort}`] });
    const named = await tunnel('loopback.test', echoPort);
    expect(named.first).toMatch(/403 Airlock egress denied: resolves to a loopback address/);
    expect(session.records()[0]).toMatchObject({ address: '127.0.0.1', verdict: 'denied' });
    use({ mode: 'open' });
    const open = await tunnel('127.0.0.1', echoPort);
    expect(open.first).toMatch(/403 Airlock egress denied: resolves to a loopback address/);
    const nx = await tunnel('nowhere.test', 443);
    expect(nx.first).toMatch(/the name does not resolve/);
  });

  it("never reaches Airlock's own port, even when listed", async () => {
    use({ mode: 'allowlist', allow: [`127.0.0.1:${proxyPort}`, `[::1]:${proxyPort}`] });
    const { first } = await tunnel('127.0.0.1', proxyPort);
    expect(first).toMatch(/403 Airlock egress denied: Airlock's own port is never reachable/);
  });

  it('bounds connections and bytes per run', async () => {
    use(
      { mode: 'allowlist', allow: [`127.0.0.1:${echoPort}`] },
      { limits: { connections: 1, bytes: 1000 } },
    );
    const a = await tunnel('127.0.0.1', echoPort);
    expect(a.first).toMatch(/200/);
    a.sock.write(Buffer.alloc(2000, 1));
    await once(a.sock, 'close');
    expect(session.records()[0]).toMatchObject({
      verdict: 'allowed',
      reason: 'more than 1000 bytes in this run',
    });
    const b = await tunnel('127.0.0.1', echoPort);
    expect(b.first).toMatch(/403 Airlock egress denied: more than 1 connections in this run/);
  });

  it('bounds open sockets before reading anything, and the log of denied attempts', async () => {
    use(
      { mode: 'allowlist', allow: [`127.0.0.1:${echoPort}`] },
      { limits: { concurrent: 2, connections: 3 } },
    );
    const held = [connect(proxyPort, '127.0.0.1'), connect(proxyPort, '127.0.0.1')];
    await Promise.all(held.map((s) => once(s, 'connect')));
    await new Promise((r) => setTimeout(r, 20));
    const third = await request('CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\n');
    expect(third.first).toMatch(/403 Airlock egress denied: more than 2 connections open at once/);
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 20));
    // Many denied attempts: the log keeps a bounded number, the rest are counted.
    for (let i = 0; i < 45; i++) {
      const d = await tunnel('10.9.9.9', 1);
      d.sock.destroy();
    }
    expect(session.records().length).toBe(3 + 32);
    expect(session.dropped()).toBeGreaterThan(0);
  });

  it('refuses what is not a proxy request', async () => {
    use({ mode: 'open' });
    const { first } = await request('hello\r\n\r\n');
    expect(first).toMatch(/403 Airlock egress denied: not an HTTP proxy request/);
    expect(parseRequestHead(Buffer.from('GET /relative HTTP/1.1\r\n\r\n'))).toMatchObject({
      kind: 'invalid',
    });
    expect(parseRequestHead(Buffer.from('CONNECT [::1]:443 HTTP/1.1\r\n\r\n'))).toEqual({
      kind: 'connect',
      host: '::1',
      port: 443,
    });
  });
});
