import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { DashboardSessionQuery } from '../generated/graphql.ts';
import type { Api } from './api.ts';
import type { LiveConnection } from './live-client.ts';

export type EventTypeInfo = DashboardSessionQuery['eventTypes'][number];

export interface Notice {
  id: number;
  kind: 'success' | 'error';
  message: string;
}

export interface ConfirmOptions {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
}

/** What every screen of a signed-in session needs. */
export interface Session {
  api: Api;
  /** The session's WebSocket for subscriptions. */
  live: LiveConnection;
  organization: { id: string; name: string };
  /** The platform's event types (operational ones are Hookline's own, and never chosen). */
  eventTypes: EventTypeInfo[];
  /** False for a VIEWER: the screens show no button that would change anything. */
  canManage: boolean;
  notify(kind: Notice['kind'], message: string): void;
  confirm(options: ConfirmOptions): Promise<boolean>;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in session');
  return session;
}

/** The catalog's wire name of an event type (`pre-conversation`), for display. */
export function eventTypeLabel(eventTypes: readonly EventTypeInfo[], type: string): string {
  return eventTypes.find((info) => info.type === type)?.name ?? type;
}
