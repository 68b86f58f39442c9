/**
 * A connection to a brokered host, read as HTTP: TLS from the script is terminated with a
 * certificate from the instance CA (plain HTTP is read as is), each request gets the bound
 * credentials' values in place of their placeholders (header values, Basic credentials, path
 * and query, JSON and form bodies) and goes upstream over a connection the proxy opened to the
 * checked address (TLS verified against the configured roots, as any client would); each
 * response comes back with the values (and their encodings) scrubbed. Anything that is not
 * HTTP/1.x is refused: a brokered host is never a raw tunnel.
 */
import {
  createServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { Duplex, pipeline, Transform } from 'node:stream';
import { type SecureContext, TLSSocket, connect as tlsConnect } from 'node:tls';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import {
  type BrokeredCredential,
  bodyKind,
  boundTo,
  substituteBody,
  substituteHeader,
  substituteTarget,
} from './broker.js';
import type { Issuer } from './ca.js';

/** Scrubs one response of the brokered values (supplied by the caller: the redactor). */
export interface ByteScrubber {
  write(chunk: Buffer): Buffer;
  end(): Buffer;
}

/** One request on a connection to a brokered host, as recorded (names only, never values). */
export interface RequestRecord {
  method: string;
  /** The upstream's status, or the proxy's own (502: upstream failed, 413, 400). */
  status: number;
  /** Credentials whose value was put in. */
  substituted: string[];
  /** Placeholders left as they were: credentials not bound to this host, or not placeable. */
  unsubstituted?: string[];
  /** Why the proxy answered itself. */
  error?: string;
}

export interface BrokerOptions {
  /** Every brokered credential of the run. */
  credentials: readonly BrokeredCredential[];
  issuer: Issuer;
  /**
   * The roots upstream TLS is verified against, as a context made once (building one from a
   * hundred roots costs tens of milliseconds: never per connection).
   */
  upstreamTrust: SecureContext;
  /** A fresh scrubber per response. */
  scrubber: () => ByteScrubber;
}

/** Requests recorded per connection (the rest are counted). */
const MAX_REQUESTS = 64;
/** A JSON or form body larger than this is refused (413): it is buffered to substitute in. */
export const MAX_SUBSTITUTED_BODY = 4 * 1024 * 1024;
const HEAD_TIMEOUT_MS = 10_000;

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface InterceptTarget {
  host: string;
  port: number;
  /** Credentials bound to this host:port (over TLS; in clear, see `boundTo`). */
  bound: readonly BrokeredCredential[];
  /** The first upstream TCP connection (already open to the checked address). */
  first: Socket;
  /** Opens another TCP connection to the same checked address. */
  reconnect: () => Socket;
  /** Counts what the script sent (`bytesUp`) and received (`bytesDown`), as a relay would. */
  onBytes: (n: number, dir: 'bytesUp' | 'bytesDown') => void;
  requests: RequestRecord[];
  /** Requests beyond the recorded ones. */
  onDroppedRequest: () => void;
  /** The connection failed for a reason worth recording (upstream certificate, not HTTP). */
  onFailure: (why: string) => void;
}

/**
 * Serves a script's connection to a brokered host. `client` carries what the script sends
 * (starting with `prefix`, bytes already read) and receives the answers.
 */
export async function interceptConnection(
  client: Duplex,
  prefix: Buffer,
  target: InterceptTarget,
  options: BrokerOptions,
): Promise<void> {
  const first = prefix.length > 0 ? prefix : await firstChunk(client);
  if (first === undefined) return;
  if (prefix.length === 0) target.onBytes(first.length, 'bytesUp');
  const isTls = first[0] === 0x16;
  // In clear, only the bindings that name this port explicitly (see `boundTo`).
  const bound = isTls
    ? target.bound
    : boundTo(target.bound, target.host, target.port, { tls: false });
  const others = options.credentials.filter((c) => !bound.includes(c));

  let handedOut = false;
  const tcp = (): Socket => {
    if (!handedOut && !target.first.destroyed) {
      handedOut = true;
      return target.first;
    }
    return target.reconnect();
  };
  const agent = isTls
    ? new HttpsAgent({ keepAlive: true, maxSockets: 1 })
    : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  // Every upstream connection goes to the checked address; TLS is verified for the host name.
  (agent as unknown as { createConnection: () => Duplex }).createConnection = () =>
    isTls
      ? tlsConnect({
          socket: tcp(),
          servername: target.host,
          secureContext: options.upstreamTrust,
          rejectUnauthorized: true,
          ALPNProtocols: ['http/1.1'],
        })
      : tcp();

  const server = createServer(
    { headersTimeout: HEAD_TIMEOUT_MS, requestTimeout: 0, maxHeaderSize: 16 * 1024 },
    (req, res) => {
      forward(req, res, { target, bound, options, others, agent, isTls }).catch(() =>
        res.destroy(),
      );
    },
  );
  server.on('upgrade', (_req, socket: Duplex) => {
    target.onFailure('protocol upgrades (WebSocket) to a brokered host are not supported');
    socket.end('HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.on('clientError', (_err, socket: Duplex) => {
    target.onFailure('not HTTP/1.x: a brokered host only takes HTTP');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const stream = withPrefix(client, first, target.onBytes);
  client.on('close', () => {
    agent.destroy();
    target.first.destroy();
  });
  if (isTls) {
    const secureContext = await options.issuer.contextFor(target.host);
    const tls = new TLSSocket(stream, {
      isServer: true,
      secureContext,
      ALPNProtocols: ['http/1.1'],
    });
    tls.on('error', () => {
      // The script's client refused the certificate, or spoke something else.
      target.onFailure('the TLS handshake with the script failed');
      client.destroy();
    });
    server.emit('connection', tls);
  } else {
    server.emit('connection', stream);
  }
}

function firstChunk(client: Duplex): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve(undefined);
    }, HEAD_TIMEOUT_MS);
    client.once('data', (c: Buffer) => {
      clearTimeout(timer);
      client.pause();
      resolve(c);
    });
    client.once('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    client.resume();
  });
}

/** A duplex over `client` that first yields `prefix` (bytes already read from it). */
function withPrefix(client: Duplex, prefix: Buffer, onBytes: InterceptTarget['onBytes']): Duplex {
  const d = new Duplex({
    read() {
      client.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (client.destroyed) return cb(new Error('closed'));
      onBytes(chunk.length, 'bytesDown');
      client.write(chunk, (e) => cb(e ?? null));
    },
    final(cb) {
      client.end();
      cb();
    },
    destroy(err, cb) {
      client.destroy();
      cb(err);
    },
  });
  d.push(prefix);
  client.on('data', (c: Buffer) => {
    onBytes(c.length, 'bytesUp');
    if (!d.push(c)) client.pause();
  });
  client.on('end', () => d.push(null));
  client.on('close', () => d.destroy());
  return d;
}

interface ForwardContext {
  target: InterceptTarget;
  /** The credentials put into requests on this connection. */
  bound: readonly BrokeredCredential[];
  options: BrokerOptions;
  others: readonly BrokeredCredential[];
  agent: HttpAgent;
  isTls: boolean;
}

function answer(res: ServerResponse, record: RequestRecord, status: number, why: string) {
  record.status = status;
  record.error = why;
  const body = `airlock egress: ${why}\n`;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'Content-Type': 'text/plain',
    'Content-Length': Buffer.byteLength(body),
    'X-Airlock-Egress': 'broker',
    Connection: 'close',
  });
  res.end(body);
}

const CERT_ERRORS =
  /CERT|SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)|ALTNAME|HOSTNAME|DEPTH_ZERO|VERIFY/;

async function forward(req: IncomingMessage, res: ServerResponse, ctx: ForwardContext) {
  const { target, bound, options, others } = ctx;
  const record: RequestRecord = { method: req.method ?? '', status: 0, substituted: [] };
  if (target.requests.length < MAX_REQUESTS) target.requests.push(record);
  else target.onDroppedRequest();
  const used = new Set<string>();
  const unplaced = new Set<string>();
  const seeOthers = (text: string) => {
    for (const c of others) if (text.includes(c.placeholder)) unplaced.add(c.name);
  };

  // The request must be for the host the connection was admitted (and bound) for: a Host
  // header naming another site (domain fronting on a shared front end) would carry the value
  // to that site.
  const url = req.url ?? '';
  if (!url.startsWith('/') && !(req.method === 'OPTIONS' && url === '*'))
    return answer(res, record, 400, 'requests to a brokered host use origin-form targets (/path)');
  if (!sameHost(req.headers.host, target.host, target.port, ctx.isTls))
    return answer(
      res,
      record,
      421,
      `the Host header must name ${target.host}: the connection was opened for it`,
    );
  const path = substituteTarget(url, bound);
  for (const n of path.names) used.add(n);
  seeOthers(req.url ?? '');

  const headers: string[] = [];
  let contentType: string | undefined;
  let contentEncoded = false;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower === 'accept-encoding') continue;
    if (lower === 'content-type') contentType = value;
    if (lower === 'content-encoding') contentEncoded = true;
    seeOthers(value);
    const s = substituteHeader(name, value, bound);
    for (const n of s.names) used.add(n);
    for (const n of s.refused) unplaced.add(n);
    headers.push(name, s.text);
  }
  // Responses must be readable to be scrubbed.
  headers.push('Accept-Encoding', 'identity');

  const kind = contentEncoded ? undefined : bodyKind(contentType);
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  let body: Buffer | undefined;
  if (hasBody && kind !== undefined) {
    const collected = await collect(req, MAX_SUBSTITUTED_BODY);
    if (collected === undefined)
      return answer(
        res,
        record,
        413,
        `a ${kind} body to a brokered host is limited to ${MAX_SUBSTITUTED_BODY} bytes`,
      );
    seeOthers(collected.toString('latin1'));
    const s = substituteBody(collected, kind, bound);
    for (const n of s.names) used.add(n);
    body = s.body;
    // The length changed (or the body came chunked): say the new one.
    setHeader(headers, 'content-length', String(body.length));
  } else if (hasBody && req.headers['content-length'] === undefined) {
    headers.push('Transfer-Encoding', 'chunked');
  }
  record.substituted = [...used].sort();
  if (unplaced.size > 0) record.unsubstituted = [...unplaced].sort();

  const upstream = (ctx.isTls ? httpsRequest : httpRequest)({
    method: req.method,
    path: path.text,
    headers: headers as unknown as Record<string, string>,
    agent: ctx.agent,
    setHost: false,
  });
  upstream.on('error', (e: NodeJS.ErrnoException) => {
    const code = e.code ?? '';
    const why = CERT_ERRORS.test(code)
      ? `the certificate of ${target.host} failed verification (${code}); nothing was sent`
      : `the request to ${target.host} failed (${code || e.message})`;
    if (CERT_ERRORS.test(code)) target.onFailure(why);
    answer(res, record, 502, why);
  });
  upstream.on('response', (up) => {
    // A scrubber failure (fail closed) ends this exchange, never the server.
    try {
      respond(up, res, record, options);
    } catch {
      up.destroy();
      res.destroy();
    }
  });
  if (body !== undefined) upstream.end(body);
  else if (hasBody) pipeline(req, upstream, () => {});
  else upstream.end();
}

/** Whether a Host header names `host` (and `port`, or the scheme's default when absent). */
export function sameHost(
  header: string | undefined,
  host: string,
  port: number,
  tls: boolean,
): boolean {
  if (header === undefined) return false;
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(header.trim().toLowerCase());
  if (!m) return false;
  const name = (m[1] as string).replace(/\.$/, '');
  const p = m[2] === undefined ? (tls ? 443 : 80) : Number(m[2]);
  return name === host.toLowerCase() && p === port;
}

function setHeader(headers: string[], name: string, value: string) {
  let found = false;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if ((headers[i] as string).toLowerCase() === name) {
      headers[i + 1] = value;
      found = true;
    }
  }
  if (!found) headers.push(name, value);
}

function collect(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.destroy();
        resolve(undefined);
      } else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** Scrubs a whole (short) text: a header value, the reason phrase. */
function scrubText(text: string, options: BrokerOptions): string {
  const s = options.scrubber();
  return Buffer.concat([s.write(Buffer.from(text, 'latin1')), s.end()]).toString('latin1');
}

function decoderFor(encoding: string | undefined): Transform | undefined | 'unknown' {
  const e = (encoding ?? 'identity').trim().toLowerCase();
  if (e === 'identity' || e === '') return undefined;
  if (e === 'gzip' || e === 'x-gzip') return createGunzip();
  if (e === 'deflate') return createInflate();
  if (e === 'br') return createBrotliDecompress();
  return 'unknown';
}

function respond(
  up: IncomingMessage,
  res: ServerResponse,
  record: RequestRecord,
  options: BrokerOptions,
) {
  const decoder = decoderFor(up.headers['content-encoding']);
  if (decoder === 'unknown') {
    up.destroy();
    return answer(res, record, 502, 'the response uses a content encoding the proxy cannot scrub');
  }
  record.status = up.statusCode ?? 0;
  const headers: string[] = [];
  for (let i = 0; i + 1 < up.rawHeaders.length; i += 2) {
    const name = up.rawHeaders[i] as string;
    const lower = name.toLowerCase();
    // Lengths change when a value is scrubbed; the body is sent decoded.
    if (HOP_BY_HOP.has(lower) || lower === 'content-length' || lower === 'content-encoding')
      continue;
    headers.push(scrubText(name, options), scrubText(up.rawHeaders[i + 1] as string, options));
  }
  res.writeHead(
    up.statusCode ?? 502,
    scrubText(up.statusMessage ?? '', options),
    headers as unknown as Record<string, string>,
  );
  const scrubber = options.scrubber();
  const scrub = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      cb(null, scrubber.write(chunk));
    },
    flush(cb) {
      cb(null, scrubber.end());
    },
  });
  const stages = decoder === undefined ? [up, scrub, res] : [up, decoder, scrub, res];
  pipeline(stages as unknown as [IncomingMessage, Transform, ServerResponse], (err) => {
    if (err) res.destroy();
  });
}
