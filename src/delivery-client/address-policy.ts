import { BlockList, isIP, isIPv4 } from 'node:net';

export type AddressPolicy = { isAllowed(ip: string): boolean };

// Special-purpose IPv4 ranges (RFC 6890 and the IANA registry): none is a
// destination a customer's public webhook endpoint may legitimately resolve to.
const BLOCKED_IPV4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved
  ['255.255.255.255', 32], // broadcast
];

// ::ffff:0:0/96 (IPv4-mapped) and 64:ff9b::/96 (NAT64) are absent on purpose:
// they are judged by the IPv4 address they embed. Adding ::ffff:0:0/96 to a
// BlockList would even block every IPv4 address, as BlockList maps the two.
const BLOCKED_IPV6: readonly (readonly [string, number])[] = [
  ['::', 96], // unspecified, loopback and deprecated IPv4-compatible addresses
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHIDv2, ...)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];

function blockListOf(ranges: readonly (readonly [string, number])[]): BlockList {
  const list = new BlockList();
  for (const [address, prefix] of ranges) {
    list.addSubnet(address, prefix, isIPv4(address) ? 'ipv4' : 'ipv6');
  }
  return list;
}

const blockedIpv4 = blockListOf(BLOCKED_IPV4);
const blockedIpv6 = blockListOf(BLOCKED_IPV6);

/** The eight 16-bit groups of an address that `isIP` accepts as IPv6. */
function ipv6Groups(ip: string): number[] {
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
        groups.push((a << 8) | b, (c << 8) | d);
      } else {
        groups.push(Number.parseInt(piece, 16));
      }
    }
    return groups;
  };
  const [head = '', tail] = ip.split('::');
  if (tail === undefined) return toGroups(head);
  const headGroups = toGroups(head);
  const tailGroups = toGroups(tail);
  const zeros = new Array<number>(8 - headGroups.length - tailGroups.length).fill(0);
  return [...headGroups, ...zeros, ...tailGroups];
}

/** The IPv4 address inside an IPv4-mapped (::ffff:0:0/96) or NAT64 (64:ff9b::/96) address. */
function embeddedIpv4(ip: string): string | null {
  const g = ipv6Groups(ip);
  const mapped =
    g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
  const nat64 =
    g[0] === 0x64 && g[1] === 0xff9b && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0;
  if (!mapped && !nat64) return null;
  const [high = 0, low = 0] = g.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function parseCidr(cidr: string): { address: string; prefix: number; type: 'ipv4' | 'ipv6' } {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  const family = match ? isIP(match[1] ?? '') : 0;
  const prefix = Number(match?.[2]);
  if (!match || family === 0 || prefix > (family === 4 ? 32 : 128)) {
    throw new Error(
      `invalid network ${JSON.stringify(cidr)}: expected CIDR notation such as 127.0.0.0/8 or fd00::/8`,
    );
  }
  return { address: match[1] ?? '', prefix, type: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Comma-separated CIDRs, as given in configuration; empty text is an empty list. */
export function parseCidrList(text: string): string[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) parseCidr(entry);
  return entries;
}

/**
 * Decides which peer addresses deliveries may reach. Special-purpose ranges are
 * refused unless a network in `allowNetworks` contains the address (for local
 * development, tests, or a deliberately internal deployment).
 */
export function createAddressPolicy(allowNetworks: readonly string[]): AddressPolicy {
  const allowed = new BlockList();
  for (const network of allowNetworks) {
    const { address, prefix, type } = parseCidr(network);
    allowed.addSubnet(address, prefix, type);
  }
  return {
    isAllowed(input: string): boolean {
      // Brackets come from URLs; a zone index only scopes link-local addresses.
      const ip = input.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
      const family = isIP(ip);
      if (family === 0) return false;
      const ipv4 = family === 4 ? ip : embeddedIpv4(ip);
      if (allowed.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return true;
      if (ipv4 !== null) return allowed.check(ipv4, 'ipv4') || !blockedIpv4.check(ipv4, 'ipv4');
      return !blockedIpv6.check(ip, 'ipv6');
    },
  };
}
