/**
 * Brokered hosts with real sockets: an upstream on 127.0.0.1 (HTTP and HTTPS with its own test
 * CA, passed to the proxy as an upstream root), the proxy on TCP, a client speaking CONNECT and
 * TLS the way Python's clients do, trusting the instance CA.
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { createSecureContext, connect as tlsConnect } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokeredCredential, brokerEntries, makePlaceholder } from './broker.js';
import { createCertificateAuthority, type Issuer, loadIssuer } from './ca.js';
import { compilePolicy, parsePolicy } from './policy.js';
import { createEgressSession, type EgressSession } from './proxy.js';

const VALUE = 'sk_live_0123456789abcdefSECRET';
const OTHER = 'ghp_OtherValue0123456789zz';
let issuer: Issuer;
let upstreamIssuer: Issuer;
let strangerIssuer: Issuer;
let plain: Server;
let good: Server;
let bad: Server;
let proxy: NetServer;
const ports = { plain: 0, good: 0, bad: 0, proxy: 0 };
let session: EgressSession;
let creds: BrokeredCredential[];
const received: { headers: IncomingMessage['headers']; url: string; body: string }[] = [];

/** Echoes the request back: every header, the URL and the body, in the body and in headers. */
function echo(req: IncomingMessage, res: import('node:http').ServerResponse) {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    const body = Buffer.concat(parts).toString('utf8');
    received.push({ headers: req.headers, url: req.url ?? '', body });
    const text = JSON.stringify({ headers: req.headers, url: req.url, body });
    const gzip = req.url?.includes('gzip');
    const payload = gzip ? gzipSync(text) : Buffer.from(text);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': payload.length,
      'X-Echo-Authorization': req.headers.authorization ?? '',
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(payload);
  });
}

const listen = async (s: NetServer | Server) => {
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return (s.address() as { port: number }).port;
};

beforeAll(async () => {
  issuer = await loadIssuer(await createCertificateAuthority('Airlock test instance CA'));
  const upstreamCa = await createCertificateAuthority('upstream test CA');
  upstreamIssuer = await loadIssuer(upstreamCa);
  strangerIssuer = await loadIssuer(await createCertificateAuthority('nobody trusts this'));
  plain = createHttpServer(echo);
  good = createHttpsServer(
    { SNICallback: (name, cb) => upstreamIssuer.contextFor(name).then((c) => cb(null, c), cb) },
    echo,
  );
  bad = createHttpsServer(
    { SNICallback: (name, cb) => strangerIssuer.contextFor(name).then((c) => cb(null, c), cb) },
    echo,
  );
  ports.plain = await listen(plain);
  ports.good = await listen(good);
  ports.bad = await listen(bad);
  proxy = createServer((s) => session.handle(s));
  ports.proxy = await listen(proxy);
  const placeholders = new Set([VALUE, OTHER]);
  const ph = (v: string) => {
    const p = makePlaceholder(v, placeholders);
    placeholders.add(p);
    return p;
  };
  creds = [
    {
      name: 'STRIPE',
      value: VALUE,
      placeholder: ph(VALUE),
      hosts: brokerEntries([`api.test:${ports.good},${ports.plain},${ports.bad}`]),
    },
    { name: 'GITHUB', value: OTHER, placeholder: ph(OTHER), hosts: brokerEntries(['gh.test']) },
  ];
  const allow = [`api.test:${ports.good},${ports.plain},${ports.bad}`, `other.test:${ports.plain}`];
  session = createEgressSession({
    policy: compilePolicy(parsePolicy({ mode: 'allowlist', allow })),
    ownPorts: [ports.proxy],
    resolve: async () => ['127.0.0.1'],
    namesMayBePrivate: true,
    broker: {
      credentials: creds,
      issuer,
      upstreamTrust: createSecureContext({ ca: [upstreamCa.certificate] }),
      scrubber: () => replacing([VALUE, OTHER]),
    },
  });
});

afterAll(() => {
  for (const s of [plain, good, bad, proxy]) s.close();
});

/** A test scrubber: every value becomes `[gone]` (the server wires the redactor instead). */
function replacing(values: string[]) {
  let held = Buffer.alloc(0);
  const keep = Math.max(...values.map((v) => v.length)) - 1;
  const run = (buf: Buffer) => {
    let s = buf.toString('latin1');
    for (const v of values) s = s.split(v).join('[gone]');
    return Buffer.from(s, 'latin1');
  };
  return {
    write(chunk: Buffer) {
      const all = run(Buffer.concat([held, chunk]));
      held = all.subarray(Math.max(0, all.length - keep));
      return all.subarray(0, Math.max(0, all.length - keep));
    },
    end() {
      const out = run(held);
      held = Buffer.alloc(0);
      return out;
    },
  };
}

async function readAll(sock: Socket | import('node:tls').TLSSocket): Promise<string> {
  const parts: Buffer[] = [];
  sock.on('data', (c: Buffer) => parts.push(c));
  await once(sock, 'close').catch(() => {});
  return Buffer.concat(parts).toString('latin1');
}

/** CONNECT host:port, then TLS trusting `ca` (or plain), one request with Connection: close. */
async function via(host: string, port: number, req: string, tls: boolean, ca?: string) {
  const request = req.replace('HOSTPORT', `${host}:${port}`);
  const sock = connect(ports.proxy, '127.0.0.1');
  sock.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
  const [first] = (await once(sock, 'data')) as [Buffer];
  const status = first.toString('latin1');
  if (!status.startsWith('HTTP/1.1 200')) return status;
  if (!tls) {
    sock.write(request);
    return readAll(sock);
  }
  const t = tlsConnect({ socket: sock, servername: host, ca: ca ?? issuer.certificate });
  t.on('error', () => {});
  await once(t, 'secureConnect');
  t.write(request);
  return readAll(t);
}

const get = (path: string, headers: Record<string, string>, body?: string) =>
  `${body === undefined ? 'GET' : 'POST'} ${path} HTTP/1.1\r\nHost: HOSTPORT\r\n${Object.entries(
    headers,
  )
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join(
      '',
    )}${body === undefined ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`}Connection: close\r\n\r\n${body ?? ''}`;

describe('brokered hosts', () => {
  it('puts the value in headers, Basic credentials, the query and a JSON body; scrubs the echo', async () => {
    const p = creds[0]?.placeholder as string;
    received.length = 0;
    const basic = Buffer.from(`user:${p}`).toString('base64');
    const out = await via(
      'api.test',
      ports.good,
      get(
        `/v1/charges?key=${p}`,
        { Authorization: `Bearer ${p}`, 'X-Api-Key': p, 'Content-Type': 'application/json' },
        JSON.stringify({ token: p }),
      ),
      true,
    );
    const got = received[0];
    expect(got?.headers.authorization).toBe(`Bearer ${VALUE}`);
    expect(got?.headers['x-api-key']).toBe(VALUE);
    expect(got?.url).toBe(`/v1/charges?key=${VALUE}`);
    expect(JSON.parse(got?.body ?? '{}')).toEqual({ token: VALUE });
    expect(out).toMatch(/^HTTP\/1.1 200/);
    expect(out).not.toContain(VALUE);
    expect(out).toContain('[gone]');
    expect(out).toContain('X-Echo-Authorization: Bearer [gone]');

    received.length = 0;
    await via('api.test', ports.good, get('/', { Authorization: `Basic ${basic}` }), true);
    expect(received[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`user:${VALUE}`).toString('base64')}`,
    );
    const record = session.records().find((r) => r.brokered?.requests.length);
    expect(record?.brokered?.requests[0]).toMatchObject({
      method: 'POST',
      status: 200,
      substituted: ['STRIPE'],
    });
    expect(record?.bytesUp).toBeGreaterThan(200);
    expect(record?.bytesDown).toBeGreaterThan(200);
    expect(JSON.stringify(session.records())).not.toContain(VALUE);
  });

  it('a chunked JSON body is substituted and sent with its new length', async () => {
    const p = creds[0]?.placeholder as string;
    received.length = 0;
    const json = JSON.stringify({ token: p });
    const chunked = `${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`;
    const req = `POST /chunked HTTP/1.1\r\nHost: HOSTPORT\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`;
    const out = await via('api.test', ports.good, req, true);
    expect(out).toMatch(/^HTTP\/1.1 200/);
    expect(JSON.parse(received[0]?.body ?? '{}')).toEqual({ token: VALUE });
    expect(received[0]?.headers['content-length']).toBe(
      String(JSON.stringify({ token: VALUE }).length),
    );
  });

  it('plain HTTP to a bound host (absolute-form and through CONNECT) is substituted too', async () => {
    const p = creds[0]?.placeholder as string;
    received.length = 0;
    const sock = connect(ports.proxy, '127.0.0.1');
    sock.write(
      `GET http://api.test:${ports.plain}/x?k=${p} HTTP/1.1\r\nHost: api.test:${ports.plain}\r\nAuthorization: Bearer ${p}\r\n\r\n`,
    );
    const out = await readAll(sock);
    expect(received[0]?.headers.authorization).toBe(`Bearer ${VALUE}`);
    expect(received[0]?.url).toBe(`/x?k=${VALUE}`);
    expect(out).not.toContain(VALUE);
    received.length = 0;
    const gz = await via('api.test', ports.plain, get('/gzip', { 'X-Api-Key': p }), false);
    expect(received[0]?.headers['x-api-key']).toBe(VALUE);
    expect(received[0]?.headers['accept-encoding']).toBe('identity');
    // The gzip body was decoded to be scrubbed.
    expect(gz).toContain('"x-api-key":"[gone]"');
  });

  it('a placeholder to a host it is not bound to leaves unchanged, and is recorded', async () => {
    const [stripe, github] = creds as [BrokeredCredential, BrokeredCredential];
    received.length = 0;
    await via(
      'other.test',
      ports.plain,
      get('/', { Authorization: `Bearer ${stripe.placeholder}` }),
      false,
    );
    expect(received[0]?.headers.authorization).toBe(`Bearer ${stripe.placeholder}`);
    const rec = session
      .records()
      .filter((r) => r.host === 'other.test')
      .at(-1);
    expect(rec?.placeholders).toEqual(['STRIPE']);
    // On a bound host, another credential's placeholder stays too.
    received.length = 0;
    await via('api.test', ports.good, get('/', { 'X-Other': github.placeholder }), true);
    expect(received[0]?.headers['x-other']).toBe(github.placeholder);
    const last = session
      .records()
      .filter((r) => r.host === 'api.test')
      .at(-1);
    expect(last?.brokered?.requests[0]?.unsubstituted).toEqual(['GITHUB']);
  });

  it('fails closed when the upstream certificate does not verify: nothing is sent', async () => {
    received.length = 0;
    const out = await via(
      'api.test',
      ports.bad,
      get('/', { Authorization: `Bearer ${creds[0]?.placeholder}` }),
      true,
    );
    expect(out).toMatch(/^HTTP\/1.1 502/);
    expect(out).toContain('failed verification');
    expect(received).toHaveLength(0);
    const rec = session
      .records()
      .filter((r) => r.port === ports.bad)
      .at(-1);
    expect(rec?.reason).toContain('failed verification');
  });

  it('refuses a request whose Host names another site (domain fronting)', async () => {
    received.length = 0;
    const p = creds[0]?.placeholder as string;
    const fronted = get('/', { Authorization: `Bearer ${p}` }).replace('HOSTPORT', 'evil.example');
    const out = await via('api.test', ports.good, fronted, true);
    expect(out).toMatch(/^HTTP\/1.1 421/);
    expect(received).toHaveLength(0);
    const absolute = `GET http://evil.example/ HTTP/1.1\r\nHost: HOSTPORT\r\nAuthorization: Bearer ${p}\r\n\r\n`;
    expect(await via('api.test', ports.plain, absolute, false)).toMatch(/^HTTP\/1.1 400/);
    expect(received).toHaveLength(0);
  });

  it('a bound host is never a raw tunnel: anything but HTTP is refused', async () => {
    received.length = 0;
    const out = await via(
      'api.test',
      ports.plain,
      `\x00\x01 not http ${creds[0]?.placeholder}\r\n\r\n`,
      false,
    );
    expect(out).toMatch(/^HTTP\/1.1 400/);
    expect(received).toHaveLength(0);
  });

  it('the script cannot complete TLS without trusting the instance CA', async () => {
    const sock = connect(ports.proxy, '127.0.0.1');
    sock.write(`CONNECT api.test:${ports.good} HTTP/1.1\r\n\r\n`);
    await once(sock, 'data');
    const t = tlsConnect({ socket: sock, servername: 'api.test', ca: upstreamIssuer.certificate });
    const [err] = (await once(t, 'error')) as [NodeJS.ErrnoException];
    expect(err.code).toMatch(/CERT|SIGNATURE|ISSUER/);
  });
});
