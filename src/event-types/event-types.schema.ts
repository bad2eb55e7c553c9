import { builder } from '../graphql/builder.ts';
import {
  EVENT_TYPES,
  type EventTypeDefinition,
  type EventTypeName,
  payloadJsonSchema,
} from './event-types.ts';

export const EventTypeEnum = builder.enumType('EventType', {
  description: 'What happened. Each value has a wire name, used in the delivered body.',
  values: Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type.name,
      { value: type.name, description: `${type.wireName}: ${type.description}` },
    ]),
  ) as Record<EventTypeName, { value: EventTypeName; description: string }>,
});

const EventTypeInfoRef = builder.objectRef<EventTypeDefinition>('EventTypeInfo');

builder.objectType(EventTypeInfoRef, {
  description: 'An event type Hookline can deliver, with the schema its payload must meet.',
  fields: (t) => ({
    type: t.field({ type: EventTypeEnum, resolve: (type) => type.name }),
    name: t.exposeString('wireName', { description: 'The wire name, e.g. pre-conversation.' }),
    description: t.exposeString('description'),
    schema: t.field({
      type: 'JSON',
      description: 'JSON Schema of the payload.',
      resolve: (type) => payloadJsonSchema(type.name),
    }),
    example: t.field({ type: 'JSON', resolve: (type) => type.example }),
  }),
});

builder.queryField('eventTypes', (t) =>
  t.field({
    type: [EventTypeInfoRef],
    description: 'The catalog of event types and their payload schemas. Needs no key.',
    resolve: () => [...EVENT_TYPES],
  }),
);
