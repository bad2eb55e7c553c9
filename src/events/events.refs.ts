import { builder } from '../graphql/builder.ts';
import type { Event } from './event.ts';

// Refs apart from the schema files that implement them, so those can refer to each other.
export const EventRef = builder.objectRef<Event>('Event');
