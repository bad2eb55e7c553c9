import { builder } from '../graphql/builder.ts';
import type { Agent } from './agent.ts';

// Refs apart from the schema files that implement them, so those can refer to each other.
export const AgentRef = builder.objectRef<Agent>('Agent');
