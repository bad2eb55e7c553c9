import ipaddr from 'ipaddr.js';

export type AddressPolicy = { isAllowed(ip: string): boolean };

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Network = [Address, number];

/**
 * The IPv4 address an IPv6 one stands for, judged in its place: IPv4-mapped (::ffff:0:0/96),
 * NAT64 (64:ff9b::/96) and the deprecated IPv4-compatible form (::/96).
 */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const [a, b, c, d, e, f, high = 0, low = 0] = address.parts;
  const mapped = a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0xffff;
  const compatible = a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0;
  const nat64 = a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0;
  if (!mapped && !compatible && !nat64) return null;
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function parseCidr(cidr: string): Network {
  try {
    return ipaddr.parseCIDR(cidr.trim());
  } catch {
    throw new Error(
      `invalid network ${JSON.stringify(cidr)}: expected CIDR notation such as 127.0.0.0/8 or fd00::/8`,
    );
  }
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
 * Decides which peer addresses deliveries may reach. ipaddr.js names every special-purpose range
 * (RFC 6890 and the IANA registries: private, loopback, link-local and cloud metadata, CGNAT,
 * multicast, reserved, documentation, benchmarking, unique local, Teredo, 6to4, ...); only an
 * address it calls `unicast` is a destination a customer's public endpoint may resolve to. A
 * network in `allowNetworks` opens a range anyway (local development, tests, a deliberately
 * internal deployment). The check on the address actually connected, after DNS, is ours
 * (connector.ts): no library does that part.
 */
export function createAddressPolicy(allowNetworks: readonly string[]): AddressPolicy {
  const allowed = allowNetworks.map(parseCidr);
  const inAllowed = (address: Address) =>
    allowed.some(
      ([network, bits]) => address.kind() === network.kind() && address.match(network, bits),
    );
  return {
    isAllowed(input: string): boolean {
      // Brackets come from URLs; a zone index only scopes link-local addresses.
      const ip = input.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
      if (!ipaddr.isValid(ip)) return false;
      const address = ipaddr.parse(ip);
      if (inAllowed(address)) return true;
      const ipv4 =
        address.kind() === 'ipv4' ? (address as ipaddr.IPv4) : embeddedIpv4(address as ipaddr.IPv6);
      if (ipv4) return inAllowed(ipv4) || ipv4.range() === 'unicast';
      return address.range() === 'unicast';
    },
  };
}
