/**
 * Which addresses a host-name entry (or `open` mode) may reach: public unicast only. Loopback,
 * private, shared (CGNAT), link-local, cloud metadata, documentation, benchmarking, multicast
 * and reserved ranges are refused whatever DNS answers; they are reachable only through an
 * explicit IP or CIDR entry. IPv4-mapped, NAT64 and 6to4 IPv6 addresses are judged by the IPv4
 * address they carry.
 */
import { BlockList, isIP } from 'node:net';

const V4_NOT_PUBLIC: ReadonlyArray<[string, number, string]> = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
/** Metadata services on otherwise public addresses (Azure's wireserver, Alibaba's). */
const V4_METADATA: ReadonlyArray<string> = ['168.63.129.16', '100.100.100.200'];

const V6_NOT_PUBLIC: ReadonlyArray<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'discard'],
  ['2001::', 23, 'protocol assignments'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'private (unique local)'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
  ['fd00:ec2::', 32, 'cloud metadata'],
];

function blocks(
  list: ReadonlyArray<[string, number, string]>,
  type: 'ipv4' | 'ipv6',
): Array<[BlockList, string]> {
  return list.map(([net, prefix, why]) => {
    const b = new BlockList();
    b.addSubnet(net, prefix, type);
    return [b, why];
  });
}

const V4 = blocks(V4_NOT_PUBLIC, 'ipv4');
const V6 = blocks(V6_NOT_PUBLIC, 'ipv6');

/** The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), if any. */
function embeddedV4(address: string): string | undefined {
  const words = expandV6(address);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated)
  if (words.slice(0, 5).every((w) => w === 0) && (words[5] === 0xffff || words[5] === 0))
    return v4(words[6] as number, words[7] as number);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0))
    return v4(words[6] as number, words[7] as number);
  // 2002:AABB:CCDD::/48 (6to4)
  if (words[0] === 0x2002) return v4(words[1] as number, words[2] as number);
  return undefined;
}

/** The 8 16-bit words of an IPv6 address (dotted IPv4 tail allowed). */
function expandV6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const pct = text.indexOf('%');
  if (pct >= 0) text = text.slice(0, pct);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = (dotted[1] as string).split('.').map(Number);
    const tail = `${(((parts[0] as number) << 8) | (parts[1] as number)).toString(16)}:${(((parts[2] as number) << 8) | (parts[3] as number)).toString(16)}`;
    text = text.slice(0, dotted.index) + tail;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? (halves[0] as string).split(':') : [];
  const tail = halves.length === 2 && halves[1] ? (halves[1] as string).split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 && fill !== 0) return undefined;
  const words = [...head, ...Array(Math.max(0, fill)).fill('0'), ...tail].map((w) =>
    Number.parseInt(w, 16),
  );
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)
    ? words
    : undefined;
}

/**
 * Why an address is not public, or undefined when it is a public unicast address.
 *
 * @example
 * notPublicReason('10.1.2.3'); // 'private'
 * notPublicReason('::ffff:127.0.0.1'); // 'loopback'
 * notPublicReason('93.184.215.14'); // undefined
 */
export function notPublicReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) {
    if (V4_METADATA.includes(address)) return 'cloud metadata';
    for (const [b, why] of V4) if (b.check(address, 'ipv4')) return why;
    return undefined;
  }
  if (family === 6) {
    for (const [b, why] of V6) if (b.check(address, 'ipv6')) return why;
    const v4 = embeddedV4(address);
    return v4 === undefined ? undefined : notPublicReason(v4);
  }
  return 'not an IP address';
}

export const isPublicAddress = (address: string): boolean => notPublicReason(address) === undefined;
