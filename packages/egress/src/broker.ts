/**
 * Brokered credentials: the script holds a placeholder, and the proxy puts the value in its place
 * only in requests to the hosts the credential is bound to. Pure functions: placeholders, which
 * credentials a host receives, and substitution in header values, URLs and bodies.
 */
import { randomBytes } from 'node:crypto';
import { type CompiledPolicy, type Entry, PolicyError, parseEntry } from './policy.js';

/** A brokered credential of one run. */
export interface BrokeredCredential {
  readonly name: string;
  readonly value: string;
  /** What the script holds instead of the value (fresh per run). */
  readonly placeholder: string;
  /** Where the value may go (name and wildcard entries). */
  readonly hosts: readonly Entry[];
}

/** At most this many hosts per brokered credential. */
export const MAX_BROKER_HOSTS = 20;

/**
 * Validates a brokered credential's hosts (untrusted input): a list of name or `*.` entries,
 * with optional ports, normalised. IP and CIDR entries are refused: TLS to a brokered host is
 * intercepted with a certificate for its name.
 *
 * @example
 * parseBrokerHosts(['API.stripe.com']); // ['api.stripe.com']
 */
export function parseBrokerHosts(input: unknown): string[] {
  if (!Array.isArray(input)) throw new PolicyError('hosts must be a list of host entries');
  if (input.length === 0) throw new PolicyError('a brokered credential needs at least one host');
  if (input.length > MAX_BROKER_HOSTS)
    throw new PolicyError(`at most ${MAX_BROKER_HOSTS} hosts per brokered credential`);
  const out: string[] = [];
  for (const raw of input) {
    const e = parseEntry(raw as string);
    if (e.kind !== 'name' && e.kind !== 'wildcard')
      throw new PolicyError(
        `"${e.text}": a brokered credential is bound to host names (api.example.com or *.example.com), not addresses`,
        raw as string,
      );
    if (!out.includes(e.text)) out.push(e.text);
  }
  return out;
}

const inRanges = (e: Entry, port: number) => e.ports.some(([lo, hi]) => port >= lo && port <= hi);

function entryMatches(e: Entry, host: string, port: number): boolean {
  if (!inRanges(e, port)) return false;
  const h = host.toLowerCase();
  if (e.kind === 'name') return e.name === h;
  if (e.kind === 'wildcard') return h.endsWith(`.${e.suffix}`);
  return false;
}

/**
 * The credentials whose value may be sent to `host:port`. Over plain HTTP (`tls: false`) only
 * bindings that name their ports (`api.example.com:80`): an entry with the default ports
 * (443, 80) sends the value over TLS only, so a script cannot put it on the wire in clear.
 */
export function boundTo(
  credentials: readonly BrokeredCredential[],
  host: string,
  port: number,
  options: { tls?: boolean } = {},
): BrokeredCredential[] {
  const explicit = (e: Entry) => e.text.includes(':');
  return credentials.filter((c) =>
    c.hosts.some((e) => entryMatches(e, host, port) && (options.tls !== false || explicit(e))),
  );
}

/**
 * Why a policy does not allow every host:port a brokered credential is bound to, or null when
 * it does. Checked when a profile is locked (a brokered credential whose hosts the profile cannot
 * reach would never work).
 *
 * @example
 * brokerHostsRefusal(compilePolicy({ mode: 'allowlist', allow: ['api.example.com:443'] }), ['api.example.com']);
 * // 'api.example.com: port 80 is not allowed for this host'
 */
export function brokerHostsRefusal(
  policy: CompiledPolicy,
  hosts: readonly string[],
): string | null {
  for (const text of hosts) {
    const e = parseEntry(text);
    if (policy.mode === 'open') continue;
    if (policy.mode === 'none') return `${e.text}: the profile's network is off`;
    // A wildcard binding needs a wildcard entry covering all its subdomains.
    const covering = policy.entries.filter((p) =>
      e.kind === 'wildcard'
        ? p.kind === 'wildcard' && (e.suffix === p.suffix || e.suffix.endsWith(`.${p.suffix}`))
        : e.kind === 'name' &&
          ((p.kind === 'name' && p.name === e.name) ||
            (p.kind === 'wildcard' && e.name.endsWith(`.${p.suffix}`))),
    );
    if (covering.length === 0) return `${e.text}: the host is not in the profile's allowlist`;
    for (const [lo, hi] of e.ports) {
      // Walk the range through the union of the covering entries' ranges.
      let next = lo;
      while (next <= hi) {
        const r = covering.flatMap((p) => p.ports).find(([a, b]) => next >= a && next <= b);
        if (!r) return `${e.text}: port ${next} is not allowed for this host`;
        next = r[1] + 1;
      }
    }
  }
  return null;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Random characters of a placeholder (≈190 bits). */
const PLACEHOLDER_RANDOM = 32;
/** A value's leading `letters_` groups kept in its placeholder (`sk_live_`, `ghp_`, `xoxb-`). */
const KNOWN_PREFIX = /^(?:[A-Za-z]{1,10}[_-]){1,3}/;
const MAX_PREFIX = 16;

/**
 * A fresh placeholder for a value: the value's known prefix (if it has one: leading groups of
 * letters each ending in `_` or `-`, at most 16 characters) then 32 random base62 characters,
 * so libraries that check a token's prefix accept it. Nothing else of the value (not even its
 * length) shows in it. `taken` holds every real value and placeholder it must differ from.
 *
 * @example
 * makePlaceholder('sk_live_51Habc…', new Set()); // 'sk_live_Q3x…' (32 random characters)
 */
export function makePlaceholder(value: string, taken: ReadonlySet<string>): string {
  const m = KNOWN_PREFIX.exec(value);
  const prefix = m && m[0].length <= MAX_PREFIX && m[0].length < value.length ? m[0] : '';
  for (;;) {
    const bytes = randomBytes(PLACEHOLDER_RANDOM * 2);
    let out = prefix;
    // Rejection sampling: 248 = 4 × 62, so every character is uniform.
    for (const b of bytes) {
      if (b < 248) out += BASE62[b % 62];
      if (out.length === prefix.length + PLACEHOLDER_RANDOM) break;
    }
    if (out.length !== prefix.length + PLACEHOLDER_RANDOM) continue;
    if (out === value || taken.has(out)) continue;
    if ([...taken].some((t) => t.length > 0 && (out.includes(t) || t.includes(out)))) continue;
    return out;
  }
}

/** Result of one substitution: the new text and the names of the values put in. */
export interface Substituted {
  text: string;
  names: string[];
}

/** Replaces every placeholder of `credentials` in `text` with `encode(value)`. */
export function substitute(
  text: string,
  credentials: readonly BrokeredCredential[],
  encode: (value: string) => string,
): Substituted {
  let out = text;
  const names: string[] = [];
  for (const c of credentials) {
    if (!out.includes(c.placeholder)) continue;
    out = out.split(c.placeholder).join(encode(c.value));
    names.push(c.name);
  }
  return { text: out, names };
}

/** Characters a header value may hold (no CR, LF or NUL: header injection). */
const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Substitutes in one header value (as latin1 text, the way HTTP carries it), including inside
 * `Basic` credentials (base64 of `user:password`). A value that cannot be carried in a header
 * (CR, LF, NUL, or characters beyond latin1) is not put in: its name is in `refused`.
 */
export function substituteHeader(
  name: string,
  value: string,
  credentials: readonly BrokeredCredential[],
): Substituted & { refused: string[] } {
  const basic = /^(basic\s+)([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (basic && /^(proxy-)?authorization$/i.test(name)) {
    // Inside base64 any value can be carried.
    const decoded = Buffer.from(basic[2] as string, 'base64').toString('utf8');
    const inner = substitute(decoded, credentials, (v) => v);
    if (inner.names.length > 0) {
      const text = `${basic[1]}${Buffer.from(inner.text, 'utf8').toString('base64')}`;
      return { text, names: inner.names, refused: [] };
    }
  }
  const refused: string[] = [];
  const usable = credentials.filter((c) => {
    const ok = HEADER_SAFE.test(c.value) && Buffer.byteLength(c.value, 'utf8') === c.value.length;
    if (!ok && value.includes(c.placeholder)) refused.push(c.name);
    return ok;
  });
  return { ...substitute(value, usable, (v) => v), refused };
}

/** Substitutes in a request target (path and query): values are percent-encoded. */
export function substituteTarget(
  target: string,
  credentials: readonly BrokeredCredential[],
): Substituted {
  return substitute(target, credentials, encodeURIComponent);
}

/** Body types the proxy substitutes in. */
export type BodyKind = 'json' | 'form';

/** Which kind of body a `Content-Type` announces, if one the proxy substitutes in. */
export function bodyKind(contentType: string | undefined): BodyKind | undefined {
  const t = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (t === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(t)) return 'json';
  if (t === 'application/x-www-form-urlencoded') return 'form';
  return undefined;
}

/**
 * Substitutes in a JSON or form body (UTF-8): in JSON the value is escaped as the inside of a
 * JSON string, in a form it is percent-encoded.
 */
export function substituteBody(
  body: Buffer,
  kind: BodyKind,
  credentials: readonly BrokeredCredential[],
): { body: Buffer; names: string[] } {
  const text = body.toString('utf8');
  const r = substitute(
    text,
    credentials,
    kind === 'json' ? (v) => JSON.stringify(v).slice(1, -1) : encodeURIComponent,
  );
  return { body: r.names.length > 0 ? Buffer.from(r.text, 'utf8') : body, names: r.names };
}

/**
 * Finds placeholders in a byte stream (what a script sends where no substitution happens), across
 * chunk boundaries. Placeholders are ASCII.
 */
export class PlaceholderScanner {
  #tail = '';
  readonly #keep: number;
  readonly found = new Set<string>();

  constructor(private readonly credentials: readonly BrokeredCredential[]) {
    this.#keep = Math.max(0, ...credentials.map((c) => c.placeholder.length)) - 1;
  }

  write(chunk: Buffer): void {
    if (this.credentials.length === 0 || this.found.size === this.credentials.length) return;
    const text = this.#tail + chunk.toString('latin1');
    for (const c of this.credentials) if (text.includes(c.placeholder)) this.found.add(c.name);
    this.#tail = this.#keep > 0 ? text.slice(-this.#keep) : '';
  }
}

/** Entries of a credential's (validated) host list. */
export function brokerEntries(hosts: readonly string[]): Entry[] {
  return hosts.map(parseEntry);
}
