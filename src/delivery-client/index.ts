export type { AddressPolicy } from './address-policy.ts';
export { createAddressPolicy, parseCidrList } from './address-policy.ts';
export { BlockedAddressError } from './connector.ts';
export type {
  DeliveryClient,
  DeliveryClientOptions,
  DeliveryError,
  DeliveryErrorKind,
  DeliveryRequest,
  SendOutcome,
} from './delivery-client.ts';
export { createDeliveryClient } from './delivery-client.ts';
