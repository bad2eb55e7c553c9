import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import type { AddressPolicy } from './address-policy.ts';

export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'HOOKLINE_BLOCKED_ADDRESS';
  readonly host: string;
  readonly address: string;

  constructor(host: string, address: string) {
    // The setting is named: a developer receiving on localhost reads this in the attempt log.
    super(
      `${host === address ? address : `${host} resolves to ${address}, which`} is a loopback, private or reserved address that deliveries may not reach; HOOKLINE_ALLOW_NETWORKS opens a range (such as 127.0.0.0/8 for a receiver on this machine)`,
    );
    this.host = host;
    this.address = address;
  }
}

/**
 * An undici connector that only ever talks to addresses the policy allows.
 *
 * Three checks, because each alone has a gap: an IP literal never reaches a DNS
 * lookup; a name is refused if any of its addresses is disallowed (so a mixed
 * answer cannot be raced); and the connected socket's peer is checked before a
 * byte is written, which defeats DNS rebinding between our lookup and connect.
 * For https the TCP connection is made and checked first, then TLS is started
 * on it, so not even a ClientHello reaches a disallowed peer.
 */
export function createGuardedConnector(options: {
  connectTimeoutMs: number;
  addressPolicy: AddressPolicy;
}): buildConnector.connector {
  const { addressPolicy } = options;

  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const blocked = addresses.find((entry) => !addressPolicy.isAllowed(entry.address));
      if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), '');
      const first = addresses[0];
      if (!first) {
        const empty = Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
        return callback(empty, '');
      }
      if (lookupOptions.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };

  // Both halves use HTTP/1.1 only: keep-alive with pipelining 1 is the model.
  const connectTcp = buildConnector({
    timeout: options.connectTimeoutMs,
    lookup: guardedLookup,
    allowH2: false,
  });
  const startTls = buildConnector({ timeout: options.connectTimeoutMs, allowH2: false });

  return (connectOptions, callback) => {
    const { hostname, protocol } = connectOptions;
    if (isIP(hostname) !== 0 && !addressPolicy.isAllowed(hostname)) {
      callback(new BlockedAddressError(hostname, hostname), null);
      return;
    }
    const https = protocol === 'https:';
    const port = connectOptions.port || (https ? '443' : '80');
    // Returned so that undici can cancel the attempt by destroying it.
    return connectTcp(
      {
        hostname,
        host: connectOptions.host,
        protocol: 'http:',
        port,
        localAddress: connectOptions.localAddress ?? null,
      },
      (err, socket) => {
        if (err) return callback(err, null);
        const peer = socket.remoteAddress;
        if (!peer || !addressPolicy.isAllowed(peer)) {
          socket.destroy();
          return callback(new BlockedAddressError(hostname, peer ?? 'an unknown address'), null);
        }
        if (!https) return callback(null, socket);
        startTls({ ...connectOptions, port, httpSocket: socket }, callback);
      },
    );
  };
}
