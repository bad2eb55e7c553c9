/**
 * Routes live in the URL's hash (`#/webhooks/whk_...`), so the server serves one page at `/`
 * and every screen is still a link that can be bookmarked, shared and opened in a new tab.
 */
export interface LiveFilters {
  webhookId?: string;
  agentId?: string;
  eventType?: string;
}

export type Route =
  | { name: 'overview' }
  | { name: 'webhooks' }
  | { name: 'webhook'; id: string }
  | { name: 'agents' }
  | { name: 'agent'; id: string; tab: 'webhooks' | 'events' }
  | { name: 'live'; filters: LiveFilters }
  | { name: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const segments = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(queryPart);
  const [first, second, third] = segments;
  if (segments.length === 0 || (first === 'overview' && segments.length === 1)) {
    return { name: 'overview' };
  }
  if (first === 'webhooks' && segments.length === 1) return { name: 'webhooks' };
  if (first === 'webhooks' && second && segments.length === 2)
    return { name: 'webhook', id: second };
  if (first === 'agents' && segments.length === 1) return { name: 'agents' };
  if (first === 'agents' && second && segments.length <= 3) {
    return { name: 'agent', id: second, tab: third === 'events' ? 'events' : 'webhooks' };
  }
  if (first === 'live' && segments.length === 1) {
    const filters: LiveFilters = {};
    const webhookId = query.get('webhook');
    const agentId = query.get('agent');
    const eventType = query.get('type');
    if (webhookId) filters.webhookId = webhookId;
    if (agentId) filters.agentId = agentId;
    if (eventType) filters.eventType = eventType;
    return { name: 'live', filters };
  }
  return { name: 'not-found', path: pathPart };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'overview':
      return '#/overview';
    case 'webhooks':
      return '#/webhooks';
    case 'webhook':
      return `#/webhooks/${encodeURIComponent(route.id)}`;
    case 'agents':
      return '#/agents';
    case 'agent':
      return `#/agents/${encodeURIComponent(route.id)}${route.tab === 'events' ? '/events' : ''}`;
    case 'live': {
      const query = new URLSearchParams();
      if (route.filters.webhookId) query.set('webhook', route.filters.webhookId);
      if (route.filters.agentId) query.set('agent', route.filters.agentId);
      if (route.filters.eventType) query.set('type', route.filters.eventType);
      const text = query.toString();
      return `#/live${text ? `?${text}` : ''}`;
    }
    case 'not-found':
      return `#${route.path}`;
  }
}

/** The top-level section a route belongs to, for the navigation's current-page marker. */
export function sectionOf(route: Route): 'overview' | 'webhooks' | 'agents' | 'live' | null {
  if (route.name === 'overview') return 'overview';
  if (route.name === 'webhooks' || route.name === 'webhook') return 'webhooks';
  if (route.name === 'agents' || route.name === 'agent') return 'agents';
  if (route.name === 'live') return 'live';
  return null;
}
