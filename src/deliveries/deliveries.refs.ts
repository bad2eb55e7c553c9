import { builder } from '../graphql/builder.ts';
import type { Delivery } from './delivery.ts';
import type { DeliveryAttempt } from './delivery-attempt.ts';

// Refs apart from the schema files that implement them, so those can refer to each other.
export const DeliveryRef = builder.objectRef<Delivery>('Delivery');
export const DeliveryAttemptRef = builder.objectRef<DeliveryAttempt>('DeliveryAttempt');

export const DeliveryStatusEnum = builder.enumType('DeliveryStatus', {
  values: {
    PENDING: { description: 'Not delivered yet: an attempt is in flight or scheduled.' },
    HELD: {
      description:
        "Not delivered yet, and not attempted for now: the endpoint's circuit is open after repeated failures. Held deliveries keep their remaining attempts and go out once a probe succeeds.",
    },
    SUCCEEDED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Every attempt of the schedule failed.' },
    CANCELLED: { description: 'The webhook was disabled or deleted before delivery.' },
  } as const,
});

export const DeliveryKindEnum = builder.enumType('DeliveryKind', {
  values: {
    NOTIFICATION: {
      value: 'notification',
      description: 'An event sent through the queue, retried on the schedule until it succeeds.',
    },
    CALL_SETUP: {
      value: 'call_setup',
      description:
        "A call setup (requestCallSetup): sent to the agent's responder at once, tried only until its deadline, never queued or redelivered.",
    },
  } as const,
});
