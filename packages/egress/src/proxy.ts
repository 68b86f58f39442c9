/**
 * The egress proxy of one run: every connection a script makes arrives here (over a unix socket
 * bound into its sandbox, the sandbox's only way out) as an HTTP proxy request: `CONNECT
 * host:port` (HTTPS and plain TCP) or an absolute-form `GET http://host/…` (plain HTTP). Each is
 * decided by the profile's policy, names are resolved here (never in the sandbox), name entries
 * reach only public addresses, Airlock's own ports on this host are never reachable, and every
 * attempt is recorded with its verdict, the address used and the bytes each way. Nothing here
 * reads inside TLS, except on connections to a host a brokered credential is bound to: those
 * are read as HTTP by `intercept.ts`, which puts the values in.
 */
import { lookup } from 'node:dns/promises';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { notPublicReason } from './addresses.js';
import { boundTo, PlaceholderScanner } from './broker.js';
import { type BrokerOptions, interceptConnection, type RequestRecord } from './intercept.js';
import { admit, type CompiledPolicy } from './policy.js';

/** Bounds of one run's network use. */
export interface EgressLimits {
  /** Connection attempts per run (allowed or not). */
  connections: number;
  /** Bytes per run, both directions together. */
  bytes: number;
  /** Connections open at once. */
  concurrent: number;
  /** Longest wait for an upstream TCP connection, ms. */
  connectTimeoutMs: number;
}

export const DEFAULT_EGRESS_LIMITS: Readonly<EgressLimits> = Object.freeze({
  connections: 256,
  bytes: 64 * 1024 * 1024,
  concurrent: 16,
  connectTimeoutMs: 10_000,
});

/** One connection attempt, as recorded with the execution. */
export interface ConnectionRecord {
  host: string;
  port: number;
  verdict: 'allowed' | 'denied';
  /** Why it was denied, or why an allowed connection was cut (a limit). */
  reason?: string;
  /** The address connected to (allowed) or the one refused. */
  address?: string;
  bytesUp: number;
  bytesDown: number;
  /** Milliseconds since the session started. */
  startedMs: number;
  durationMs: number;
  /** Set on a connection to a brokered host: its requests, with the credentials put in. */
  brokered?: { requests: RequestRecord[]; droppedRequests: number };
  /** Brokered credentials whose placeholder was seen going to a host they are not bound to. */
  placeholders?: string[];
}

export interface EgressOptions {
  policy: CompiledPolicy;
  limits?: Partial<EgressLimits>;
  /** Ports of this host's own services (Airlock's listener): refused on every local address. */
  ownPorts: readonly number[];
  /** Name resolution (default: the system resolver, every address). */
  resolve?: (host: string) => Promise<string[]>;
  /**
   * Name entries may reach private addresses too (never Airlock's own port): only for sources
   * the operator configured (a package index on a private network), never for a profile.
   */
  namesMayBePrivate?: boolean;
  /** Brokered credentials of the run, and what intercepting their hosts needs. */
  broker?: BrokerOptions;
}

/** The proxy of one run. */
export interface EgressSession {
  /** Serves one client connection (from the sandbox). */
  handle(client: Duplex): void;
  /** Every attempt so far, in order (at most the connection limit plus a few; see `dropped`). */
  records(): ConnectionRecord[];
  /** Attempts past the record bound: refused, counted, not recorded. */
  dropped(): number;
  /** Cuts every open connection; the session refuses new ones. */
  close(): void;
}

const MAX_HEAD = 16 * 1024;
/** A client that sends no request head within this is cut (it holds a server socket). */
const HEAD_TIMEOUT_MS = 10_000;
/** Attempts recorded beyond the connection limit (the rest are only counted). */
const EXTRA_RECORDS = 32;

const defaultResolve = async (host: string): Promise<string[]> =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** This host's own addresses (loopback, unspecified, every interface's). */
function localAddresses(): Set<string> {
  const set = new Set(['0.0.0.0', '::']);
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) set.add(a.address.toLowerCase());
  return set;
}

function isLocal(address: string, locals: Set<string>): boolean {
  const a = address.toLowerCase();
  if (locals.has(a)) return true;
  const why = notPublicReason(a);
  return why === 'loopback' || why === 'this network' || why === 'unspecified';
}

/** The request head's target: `CONNECT host:port` or an absolute `http://` URL. */
type Target =
  | { kind: 'connect'; host: string; port: number }
  | { kind: 'http'; host: string; port: number; head: Buffer }
  | { kind: 'invalid'; why: string };

/** Parses the first request of a proxy connection. */
export function parseRequestHead(head: Buffer): Target {
  const text = head.toString('latin1');
  const eol = text.indexOf('\r\n');
  const [method, target, version] = text.slice(0, eol).split(' ');
  if (!method || !target || !version?.startsWith('HTTP/1.'))
    return { kind: 'invalid', why: 'not an HTTP proxy request' };
  if (method === 'CONNECT') {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(target);
    if (!m) return { kind: 'invalid', why: 'CONNECT needs host:port' };
    return { kind: 'connect', host: (m[1] ?? m[2]) as string, port: Number(m[3]) };
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { kind: 'invalid', why: 'a proxy request needs an absolute http:// URL or CONNECT' };
  }
  if (url.protocol !== 'http:')
    return { kind: 'invalid', why: `unsupported scheme ${url.protocol}` };
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? 80 : Number(url.port);
  // Origin-form for the server; hop-by-hop proxy headers dropped; one request per connection.
  const lines = text.slice(eol + 2, text.indexOf('\r\n\r\n')).split('\r\n');
  const kept = lines.filter(
    (l) => !/^(proxy-[a-z-]*|connection|keep-alive)\s*:/i.test(l) && l !== '',
  );
  const rewritten = [
    `${method} ${url.pathname}${url.search} ${version}`,
    ...kept,
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  return { kind: 'http', host, port, head: Buffer.from(rewritten, 'latin1') };
}

/**
 * Creates the proxy of one run.
 *
 * @example
 * const session = createEgressSession({ policy: compilePolicy(p), ownPorts: [9090] });
 * unixServer.on('connection', (s) => session.handle(s));
 */
export function createEgressSession(options: EgressOptions): EgressSession {
  const limits = { ...DEFAULT_EGRESS_LIMITS, ...options.limits };
  const resolve = options.resolve ?? defaultResolve;
  const ownPorts = new Set(options.ownPorts);
  const locals = localAddresses();
  const started = performance.now();
  const records: ConnectionRecord[] = [];
  const open = new Set<Duplex>();
  let attempts = 0;
  let bytes = 0;
  let dropped = 0;
  let closed = false;

  const newRecord = (host: string, port: number): ConnectionRecord => ({
    host,
    port,
    verdict: 'denied',
    bytesUp: 0,
    bytesDown: 0,
    startedMs: Math.round(performance.now() - started),
    durationMs: 0,
  });

  const deny = (client: Duplex, record: ConnectionRecord, reason: string) => {
    record.verdict = 'denied';
    record.reason = reason;
    record.durationMs = Math.round(performance.now() - started - record.startedMs);
    // The reason phrase is what HTTP clients show ("Tunnel connection failed: 403 …").
    const body = `airlock egress denied: ${record.host}:${record.port}: ${reason}\n`;
    client.end(
      `HTTP/1.1 403 Airlock egress denied: ${reason.replace(/[\r\n]/g, ' ')}\r\n` +
        `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Airlock-Egress: denied\r\nConnection: close\r\n\r\n${body}`,
    );
  };

  /** Where a target may be connected: the addresses to try, or why none. */
  const addressesFor = async (
    host: string,
    port: number,
    by: 'open' | 'name' | 'address',
  ): Promise<{ addresses: string[] } | { reason: string; address?: string }> => {
    let candidates: string[];
    if (isIP(host) !== 0) candidates = [host];
    else {
      try {
        candidates = await resolve(host);
      } catch {
        return { reason: 'the name does not resolve' };
      }
    }
    const usable: string[] = [];
    let refused: { reason: string; address: string } | undefined;
    for (const a of candidates) {
      if (ownPorts.has(port) && isLocal(a, locals)) {
        refused ??= { reason: "Airlock's own port is never reachable", address: a };
        continue;
      }
      // Explicit address entries reach what they list; names and `open` only public addresses.
      const trusted = by === 'address' || (by === 'name' && options.namesMayBePrivate === true);
      const why = trusted ? undefined : notPublicReason(a);
      if (why !== undefined) {
        refused ??= {
          reason: `resolves to a ${why} address (allow it with an IP or CIDR entry)`,
          address: a,
        };
        continue;
      }
      usable.push(a);
    }
    return usable.length > 0 ? { addresses: usable } : (refused ?? { reason: 'no address' });
  };

  const connectFirst = (addresses: string[], port: number): Promise<Socket> =>
    new Promise((resolvePromise, reject) => {
      const tryAt = (i: number) => {
        const address = addresses[i];
        if (address === undefined) return reject(new Error('connection refused'));
        const sock = tcpConnect({ host: address, port });
        const timer = setTimeout(
          () => sock.destroy(new Error('timed out')),
          limits.connectTimeoutMs,
        );
        sock.once('connect', () => {
          clearTimeout(timer);
          resolvePromise(sock);
        });
        sock.once('error', (e) => {
          clearTimeout(timer);
          sock.destroy();
          if (i + 1 < addresses.length) tryAt(i + 1);
          else reject(e);
        });
      };
      tryAt(0);
    });

  const serve = async (client: Duplex, head: Buffer, rest: Buffer) => {
    const target = parseRequestHead(head);
    const record = newRecord(
      target.kind === 'invalid' ? '' : target.host,
      target.kind === 'invalid' ? 0 : target.port,
    );
    // Denied attempts cost the script nothing: the log is bounded, the rest only counted.
    if (records.length < limits.connections + EXTRA_RECORDS) records.push(record);
    else dropped++;
    if (target.kind === 'invalid') return deny(client, record, target.why);
    attempts++;
    if (attempts > limits.connections)
      return deny(client, record, `more than ${limits.connections} connections in this run`);
    const admission = admit(options.policy, target.host, target.port);
    if (!admission.allowed) return deny(client, record, admission.reason);
    const where = await addressesFor(target.host, target.port, admission.by);
    if ('reason' in where) {
      if (where.address !== undefined) record.address = where.address;
      return deny(client, record, where.reason);
    }
    let upstream: Socket;
    try {
      upstream = await connectFirst(where.addresses, target.port);
    } catch (e) {
      return deny(client, record, `connection failed (${(e as Error).message})`);
    }
    if (closed || client.destroyed) {
      upstream.destroy();
      return;
    }
    record.verdict = 'allowed';
    record.address = upstream.remoteAddress ?? where.addresses[0];
    const address = record.address as string;
    const cut = (why: string) => {
      record.reason ??= why;
      upstream.destroy();
      client.destroy();
    };
    const count = (n: number, dir: 'bytesUp' | 'bytesDown') => {
      record[dir] += n;
      bytes += n;
      if (bytes > limits.bytes) cut(`more than ${limits.bytes} bytes in this run`);
    };
    client.on('close', () => {
      record.durationMs = Math.round(performance.now() - started - record.startedMs);
    });
    const broker = options.broker;
    const bound = broker ? boundTo(broker.credentials, target.host, target.port) : [];
    if (broker && bound.length > 0) {
      const brokered = { requests: [] as RequestRecord[], droppedRequests: 0 };
      record.brokered = brokered;
      upstream.on('error', () => {});
      if (target.kind === 'connect') client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      const prefix = target.kind === 'http' ? Buffer.concat([target.head, rest]) : rest;
      if (prefix.length > 0) count(prefix.length, 'bytesUp');
      interceptConnection(
        client,
        prefix,
        {
          host: target.host,
          port: target.port,
          bound,
          first: upstream,
          reconnect: () => {
            const s = tcpConnect({ host: address, port: target.port });
            s.setTimeout(limits.connectTimeoutMs, () => s.destroy(new Error('timed out')));
            s.once('connect', () => s.setTimeout(0));
            return s;
          },
          onBytes: count,
          requests: brokered.requests,
          onDroppedRequest: () => brokered.droppedRequests++,
          onFailure: (why) => {
            record.reason ??= why;
          },
        },
        broker,
      ).catch(() => client.destroy());
      return;
    }
    const scanner = broker ? new PlaceholderScanner(broker.credentials) : undefined;
    // Each direction waits for the other end to drain: nothing piles up in the server.
    const relay = (from: Duplex, to: Duplex, dir: 'bytesUp' | 'bytesDown') =>
      from.on('data', (c: Buffer) => {
        count(c.length, dir);
        if (dir === 'bytesUp') scanner?.write(c);
        if (to.destroyed) return;
        if (!to.write(c)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
    relay(upstream, client, 'bytesDown');
    relay(client, upstream, 'bytesUp');
    const done = () => {
      record.durationMs = Math.round(performance.now() - started - record.startedMs);
      if (scanner && scanner.found.size > 0) record.placeholders = [...scanner.found].sort();
      upstream.destroy();
      client.destroy();
    };
    upstream.on('close', done);
    client.on('close', done);
    upstream.on('error', () => {});
    if (target.kind === 'connect') client.write('HTTP/1.1 200 Connection established\r\n\r\n');
    else {
      // The request head the proxy sends on counts like every other byte the script sends.
      count(target.head.length, 'bytesUp');
      scanner?.write(target.head);
      upstream.write(target.head);
    }
    if (rest.length > 0) client.emit('data', rest);
  };

  return {
    handle(client) {
      if (closed) {
        client.destroy();
        return;
      }
      client.on('error', () => {});
      // Every socket a script holds is one of the server's: bounded before anything is read.
      if (open.size >= limits.concurrent) {
        const record = newRecord('', 0);
        if (records.length < limits.connections + EXTRA_RECORDS) records.push(record);
        else dropped++;
        deny(client, record, `more than ${limits.concurrent} connections open at once`);
        return;
      }
      open.add(client);
      client.on('close', () => open.delete(client));
      const headTimer = setTimeout(() => client.destroy(), HEAD_TIMEOUT_MS);
      client.on('close', () => clearTimeout(headTimer));
      let buf = Buffer.alloc(0);
      const onHead = (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > MAX_HEAD) client.destroy();
          return;
        }
        clearTimeout(headTimer);
        client.off('data', onHead);
        client.pause();
        const head = buf.subarray(0, end + 4);
        const rest = buf.subarray(end + 4);
        // A failure deciding one connection ends that connection, never the server.
        serve(client, head, rest)
          .catch(() => client.destroy())
          .finally(() => client.resume());
      };
      client.on('data', onHead);
    },
    records: () => records.map((r) => ({ ...r })),
    dropped: () => dropped,
    close() {
      closed = true;
      for (const c of open) c.destroy();
    },
  };
}
