/**
 * A profile's network policy: `{mode: 'none' | 'allowlist' | 'open', allow: [entry, ...]}`.
 * An entry is `host[:ports]`: a DNS name, `*.` + a name (its subdomains, not the name itself),
 * an IPv4 literal, an IPv6 literal in brackets, or a CIDR (`10.0.0.0/8`, `[fd00::/8]`); ports a
 * number, a range `a-b`, or a comma list of those; none given means 443 and 80.
 */
import { BlockList, isIP } from 'node:net';
import { domainToASCII } from 'node:url';

export type NetworkMode = 'none' | 'allowlist' | 'open';

/** The policy as stored and sent (entries as written, normalised). */
export interface NetworkPolicy {
  mode: NetworkMode;
  allow: string[];
}

export const NO_NETWORK: Readonly<NetworkPolicy> = Object.freeze({ mode: 'none', allow: [] });

/** Bounds on a policy (a policy is frozen into a key: keep it reviewable). */
export const POLICY_LIMITS = Object.freeze({ entries: 100, entryLength: 300, portsPerEntry: 50 });

/** The ports an entry without ports allows. */
export const DEFAULT_PORTS: readonly number[] = Object.freeze([443, 80]);

type PortRange = readonly [number, number];

/** One parsed entry. */
export type Entry =
  | { kind: 'name'; name: string; ports: PortRange[]; text: string }
  | { kind: 'wildcard'; suffix: string; ports: PortRange[]; text: string }
  | { kind: 'address'; address: string; family: 4 | 6; ports: PortRange[]; text: string }
  | { kind: 'cidr'; block: BlockList; family: 4 | 6; ports: PortRange[]; text: string };

/** A policy whose entries are parsed, ready to decide. */
export interface CompiledPolicy {
  mode: NetworkMode;
  entries: Entry[];
}

/** Thrown for an invalid policy; `entry` names the offending entry when there is one. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    message: string,
    readonly entry?: string,
  ) {
    super(message);
  }
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A DNS name, lowercased, IDN as punycode, without a trailing dot; undefined if invalid. */
export function normaliseName(raw: string): string | undefined {
  const trimmed = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (trimmed === '' || trimmed.length > 253) return undefined;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  // All-numeric last label: an IP-like string that isIP refused (e.g. 1.2.3.999).
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return undefined;
  return ascii;
}

function parsePorts(text: string, entry: string): PortRange[] {
  const parts = text.split(',');
  if (parts.length > POLICY_LIMITS.portsPerEntry)
    throw new PolicyError(`too many ports in "${entry}"`, entry);
  return parts.map((p) => {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(p.trim());
    const lo = Number(m?.[1]);
    const hi = m?.[2] === undefined ? lo : Number(m[2]);
    if (!m || lo < 1 || hi > 65535 || lo > hi)
      throw new PolicyError(
        `invalid port "${p}" in "${entry}" (1-65535, a range a-b, or a list)`,
        entry,
      );
    return [lo, hi] as const;
  });
}

/**
 * Parses one entry.
 *
 * @example
 * parseEntry('*.example.com:8443'); // { kind: 'wildcard', suffix: 'example.com', ports: [[8443, 8443]], … }
 * parseEntry('[2001:db8::1]'); // { kind: 'address', address: '2001:db8::1', family: 6, ports: [[443,443],[80,80]], … }
 */
export function parseEntry(raw: string): Entry {
  if (typeof raw !== 'string') throw new PolicyError('an entry must be a string');
  const text = raw.trim();
  if (text === '' || text.length > POLICY_LIMITS.entryLength)
    throw new PolicyError(`invalid entry "${raw}"`, raw);
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new PolicyError(`invalid entry "${raw}": missing "]"`, raw);
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new PolicyError(`invalid entry "${raw}"`, raw);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = text.indexOf(':');
    if (colon >= 0 && text.indexOf(':', colon + 1) >= 0)
      throw new PolicyError(`invalid entry "${raw}": write IPv6 addresses in brackets`, raw);
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? undefined : text.slice(colon + 1);
  }
  const ports =
    portText === undefined ? DEFAULT_PORTS.map((p) => [p, p] as const) : parsePorts(portText, raw);
  const canonical = (h: string) =>
    portText === undefined ? h : `${h}:${portText.replace(/\s/g, '')}`;

  const slash = host.indexOf('/');
  if (slash >= 0) {
    const address = host.slice(0, slash);
    const family = isIP(address) as 0 | 4 | 6;
    const bits = host.slice(slash + 1);
    const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
    if (family === 0 || prefix < 0 || prefix > (family === 4 ? 32 : 128))
      throw new PolicyError(`invalid CIDR "${host}" in "${raw}"`, raw);
    const block = new BlockList();
    block.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    const h = family === 6 ? `[${address.toLowerCase()}/${prefix}]` : `${address}/${prefix}`;
    return { kind: 'cidr', block, family, ports, text: canonical(h) };
  }
  const family = isIP(host) as 0 | 4 | 6;
  if (family !== 0) {
    if (family === 4 && text.startsWith('['))
      throw new PolicyError(`invalid entry "${raw}": brackets are for IPv6`, raw);
    if (family === 6 && !text.startsWith('['))
      throw new PolicyError(`invalid entry "${raw}": write IPv6 addresses in brackets`, raw);
    const address = host.toLowerCase();
    return {
      kind: 'address',
      address,
      family,
      ports,
      text: canonical(family === 6 ? `[${address}]` : address),
    };
  }
  if (text.startsWith('[')) throw new PolicyError(`invalid IPv6 address in "${raw}"`, raw);
  if (host.startsWith('*.')) {
    const suffix = normaliseName(host.slice(2));
    if (suffix === undefined) throw new PolicyError(`invalid host name in "${raw}"`, raw);
    return { kind: 'wildcard', suffix, ports, text: canonical(`*.${suffix}`) };
  }
  const name = normaliseName(host);
  if (name === undefined) throw new PolicyError(`invalid host name in "${raw}"`, raw);
  return { kind: 'name', name, ports, text: canonical(name) };
}

/**
 * Validates and normalises a policy from untrusted input (an API body, an import).
 *
 * @example
 * parsePolicy({ mode: 'allowlist', allow: ['API.stripe.com'] }); // { mode: 'allowlist', allow: ['api.stripe.com'] }
 */
export function parsePolicy(input: unknown): NetworkPolicy {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new PolicyError('the network policy must be an object {mode, allow}');
  const { mode, allow = [], ...rest } = input as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new PolicyError(`unknown field "${extra[0]}" in the network policy`);
  if (mode !== 'none' && mode !== 'allowlist' && mode !== 'open')
    throw new PolicyError('mode must be "none", "allowlist" or "open"');
  if (!Array.isArray(allow)) throw new PolicyError('allow must be a list of entries');
  if (allow.length > POLICY_LIMITS.entries)
    throw new PolicyError(`at most ${POLICY_LIMITS.entries} entries`);
  if (mode !== 'allowlist' && allow.length > 0)
    throw new PolicyError(`mode "${mode}" takes no entries (use "allowlist")`);
  const texts: string[] = [];
  for (const e of allow) {
    const t = parseEntry(e as string).text;
    if (!texts.includes(t)) texts.push(t);
  }
  return { mode, allow: texts };
}

/** Compiles a (validated) policy for deciding connections. */
export function compilePolicy(policy: NetworkPolicy): CompiledPolicy {
  return { mode: policy.mode, entries: policy.allow.map(parseEntry) };
}

const inRanges = (ranges: PortRange[], port: number) =>
  ranges.some(([lo, hi]) => port >= lo && port <= hi);

/** What the policy says about a requested `host:port`, before any name is resolved. */
export type Admission =
  | { allowed: true; by: 'open' | 'name' | 'address'; entry?: string }
  | { allowed: false; reason: string };

/**
 * Whether the policy admits a request for `host:port` (host as the script asked: a name or an
 * IP literal). Names still have to resolve to public addresses (see `isPublicAddress`); IP and
 * CIDR entries admit exactly what they list, private ranges included.
 */
export function admit(policy: CompiledPolicy, host: string, port: number): Admission {
  if (policy.mode === 'none') return { allowed: false, reason: 'network is off for this profile' };
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return { allowed: false, reason: `invalid port ${port}` };
  const family = isIP(host);
  const name = family === 0 ? normaliseName(host) : undefined;
  if (family === 0 && name === undefined) return { allowed: false, reason: 'invalid host name' };
  if (policy.mode === 'open') return { allowed: true, by: 'open' };
  let hostListed = false;
  for (const e of policy.entries) {
    let hostMatches = false;
    if (family === 0 && name !== undefined) {
      if (e.kind === 'name') hostMatches = e.name === name;
      else if (e.kind === 'wildcard') hostMatches = name.endsWith(`.${e.suffix}`);
    } else if (e.kind === 'address') {
      hostMatches = e.family === family && sameAddress(e.address, host, family);
    } else if (e.kind === 'cidr') {
      hostMatches = e.family === family && e.block.check(host, family === 4 ? 'ipv4' : 'ipv6');
    }
    if (!hostMatches) continue;
    hostListed = true;
    if (inRanges(e.ports, port))
      return { allowed: true, by: family === 0 ? 'name' : 'address', entry: e.text };
  }
  return {
    allowed: false,
    reason: hostListed
      ? `port ${port} is not allowed for this host`
      : 'host is not in the allowlist',
  };
}

function sameAddress(a: string, b: string, family: 4 | 6): boolean {
  if (family === 4) return a === b;
  const block = new BlockList();
  block.addAddress(a, 'ipv6');
  return block.check(b, 'ipv6');
}
