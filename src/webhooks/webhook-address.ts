import { isIP } from 'node:net';
import { type AddressPolicy, createAddressPolicy } from '../delivery-client/address-policy.ts';
import { BadUserInputError } from '../shared/errors.ts';

/**
 * Early feedback for endpoint URLs whose host is an IP literal that delivery would refuse
 * (loopback, private, link-local, metadata, reserved, in any notation: the URL parser turns
 * `http://0x0a000001/` and `http://[::ffff:10.0.0.1]/` into plain addresses first), unless
 * HOOKLINE_ALLOW_NETWORKS opens it. Such a webhook could never receive anything, so it is
 * refused when created or changed, with BAD_USER_INPUT on `url`.
 *
 * Host names are not resolved here: DNS answers change, so a name is judged where it counts,
 * by the SSRF guard of the delivery client on the address actually connected.
 */
const policies = new WeakMap<readonly string[], AddressPolicy>();

export function assertDeliverableAddress(url: string, allowNetworks: readonly string[]): void {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return; // the URL validator has already said what is wrong
  }
  if (isIP(host) === 0) return;
  let policy = policies.get(allowNetworks);
  if (!policy) {
    policy = createAddressPolicy(allowNetworks);
    policies.set(allowNetworks, policy);
  }
  if (policy.isAllowed(host)) return;
  throw new BadUserInputError([
    {
      field: 'url',
      message:
        'points to a loopback, private or reserved address, which Hookline does not deliver to (HOOKLINE_ALLOW_NETWORKS can open a range)',
    },
  ]);
}
