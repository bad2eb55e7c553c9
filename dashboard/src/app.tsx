import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  DashboardSessionDocument,
  DashboardStartPortalSessionDocument,
} from '../generated/graphql.ts';
import { ApiError, createApi } from './api.ts';
import {
  type ConfirmOptions,
  type EventTypeInfo,
  type Notice,
  type Session,
  SessionContext,
} from './context.ts';
import { describeError } from './errors.ts';
import { useRoute } from './hooks.ts';
import { createLiveConnection } from './live-client.ts';
import { hrefOf, type Route, sectionOf } from './router.ts';
import { AgentDetailsScreen } from './screens/agent-details/index.tsx';
import { AgentsScreen } from './screens/agents.tsx';
import { LiveScreen } from './screens/live/index.tsx';
import { OverviewScreen } from './screens/overview.tsx';
import { SignInScreen } from './screens/sign-in.tsx';
import { WebhookDetailsScreen } from './screens/webhook-details/index.tsx';
import { WebhooksScreen } from './screens/webhooks.tsx';
import { forgetApiKey, isPortalCredential, readApiKey, storeApiKey } from './session.ts';
import { ConfirmDialog } from './ui/dialogs.tsx';
import { Notices } from './ui/notices.tsx';

interface SignedIn {
  /** An API key, or a portal session's credential: sent the same way. */
  apiKey: string;
  organization: { id: string; name: string };
  eventTypes: EventTypeInfo[];
  role: 'ADMIN' | 'EMITTER' | 'VIEWER';
  /** When a portal session ends; null when signed in with an API key. */
  portalExpiresAt: string | null;
  branding: { platformName: string | null; accentColor: string | null };
}

type AuthState =
  | { status: 'checking' }
  | { status: 'signed-out'; message?: string }
  | { status: 'signed-in'; account: SignedIn };

/** Checks a key by asking for its organization; the operator key has none. */
async function checkKey(apiKey: string): Promise<SignedIn> {
  const api = createApi(apiKey, () => {});
  const data = await api.request(DashboardSessionDocument);
  if (!data.organization) throw new ApiError('This key belongs to no organization', 'FORBIDDEN');
  const { branding, ...organization } = data.organization;
  return {
    apiKey,
    organization,
    eventTypes: data.eventTypes.filter((type) => !type.operational),
    role: data.currentCredential.role,
    portalExpiresAt: data.currentCredential.expiresAt ?? null,
    branding,
  };
}

/**
 * A portal link (`/#portal=<token>`): the token leaves the address bar at once (so that it is in
 * no history entry, bookmark or screenshot) and is exchanged, once, for the session credential
 * the dashboard then uses like an API key.
 */
function takePortalToken(): string | undefined {
  const match = /^#portal=([\w-]+)$/.exec(location.hash);
  if (!match) return undefined;
  history.replaceState(null, '', `${location.pathname}${location.search}#/webhooks`);
  return match[1];
}

async function exchangePortalToken(token: string): Promise<string> {
  const api = createApi('', () => {});
  const { startPortalSession } = await api.request(DashboardStartPortalSessionDocument, {
    input: { token },
  });
  return startPortalSession.credential;
}

function signedOutMessage(credential: string, error: unknown): string {
  if (
    isPortalCredential(credential) &&
    error instanceof ApiError &&
    error.code === 'UNAUTHENTICATED'
  ) {
    return 'Your portal session has ended: it expired or was revoked. Ask for a new link.';
  }
  return describeError(error).message;
}

export function App() {
  const [portalToken] = useState(takePortalToken);
  const [auth, setAuth] = useState<AuthState>(() =>
    portalToken || readApiKey() ? { status: 'checking' } : { status: 'signed-out' },
  );

  useEffect(() => {
    if (portalToken) {
      forgetApiKey();
      exchangePortalToken(portalToken)
        .then(async (credential) => {
          const account = await checkKey(credential);
          storeApiKey(credential);
          setAuth({ status: 'signed-in', account });
        })
        .catch((error: unknown) =>
          setAuth({
            status: 'signed-out',
            // The server says why a link is refused; other failures read as usual.
            message:
              error instanceof ApiError && error.code === 'UNAUTHENTICATED'
                ? error.message
                : describeError(error).message,
          }),
        );
      return;
    }
    const stored = readApiKey();
    if (!stored) return;
    checkKey(stored).then(
      (account) => setAuth({ status: 'signed-in', account }),
      (error: unknown) => {
        forgetApiKey();
        setAuth({ status: 'signed-out', message: signedOutMessage(stored, error) });
      },
    );
  }, [portalToken]);

  const signOut = useCallback((message?: string) => {
    forgetApiKey();
    setAuth({ status: 'signed-out', ...(message ? { message } : {}) });
  }, []);

  if (auth.status === 'checking') {
    return (
      <main class="sign-in">
        <p role="status">Signing in…</p>
      </main>
    );
  }
  if (auth.status === 'signed-out') {
    return (
      <SignInScreen
        message={auth.message}
        signIn={async (apiKey) => {
          const account = await checkKey(apiKey);
          storeApiKey(apiKey);
          setAuth({ status: 'signed-in', account });
        }}
      />
    );
  }
  return <Shell account={auth.account} signOut={signOut} />;
}

function Shell({ account, signOut }: { account: SignedIn; signOut: (message?: string) => void }) {
  const route = useRoute();
  const [notices, setNotices] = useState<Notice[]>([]);
  const [confirmation, setConfirmation] = useState<
    (ConfirmOptions & { resolve: (ok: boolean) => void }) | null
  >(null);
  const nextNotice = useRef(1);

  const live = useMemo(() => createLiveConnection(account.apiKey), [account]);
  useEffect(() => () => live.dispose(), [live]);

  const session = useMemo<Session>(() => {
    const notify = (kind: Notice['kind'], message: string) => {
      const id = nextNotice.current++;
      setNotices((current) => [...current.slice(-2), { id, kind, message }]);
      if (kind === 'success') {
        setTimeout(() => setNotices((current) => current.filter((n) => n.id !== id)), 5000);
      }
    };
    return {
      live,
      organization: account.organization,
      eventTypes: account.eventTypes,
      api: createApi(account.apiKey, (error: ApiError) =>
        signOut(signedOutMessage(account.apiKey, error)),
      ),
      canManage: account.role === 'ADMIN',
      notify,
      confirm: (options) =>
        new Promise<boolean>((resolve) => setConfirmation({ ...options, resolve })),
      signOut: () => signOut(),
    };
  }, [account, live, signOut]);

  // A new screen: move focus to its heading so keyboard and screen-reader users start there.
  const screenKey = route.name === 'live' ? 'live' : hrefOf(route);
  const firstScreen = useRef(true);
  useEffect(() => {
    if (firstScreen.current) {
      firstScreen.current = false;
      return;
    }
    requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
  }, [screenKey]);

  useBranding(account.branding.accentColor);
  // A portal session ends by itself: sign out then, rather than at the next failed request.
  useEffect(() => {
    if (!account.portalExpiresAt) return;
    const timer = setTimeout(
      () => signOut('Your portal session has ended. Ask for a new link.'),
      Math.max(0, Date.parse(account.portalExpiresAt) - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [account, signOut]);

  const section = sectionOf(route);
  const navLink = (name: 'overview' | 'webhooks' | 'agents' | 'live', label: string) => (
    <a class="nav-link" href={`#/${name}`} aria-current={section === name ? 'page' : undefined}>
      {label}
    </a>
  );

  return (
    <SessionContext.Provider value={session}>
      {/* A button, not a link: a #main link would be taken for a route by the hash router. */}
      <button
        type="button"
        class="skip-link"
        onClick={() => document.getElementById('main')?.focus()}
      >
        Skip to content
      </button>
      <header class="topbar">
        <a class="brand" href="#/overview">
          {account.branding.platformName ?? 'Hookline'}
        </a>
        <nav aria-label="Main">
          {navLink('overview', 'Overview')}
          {navLink('webhooks', 'Webhooks')}
          {navLink('agents', 'Agents')}
          {navLink('live', 'Live')}
        </nav>
        <div class="account">
          <span class="org" title={account.organization.id}>
            {account.organization.name}
          </span>
          {account.role === 'VIEWER' && (
            <span class="badge badge-off" data-testid="view-only">
              View only
            </span>
          )}
          <button type="button" class="button small ghost" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Notices
          notices={notices}
          dismiss={(id) => setNotices((current) => current.filter((n) => n.id !== id))}
        />
        <Screen route={route} />
      </main>
      {confirmation && (
        <ConfirmDialog
          title={confirmation.title}
          body={confirmation.body}
          confirmLabel={confirmation.confirmLabel}
          danger={confirmation.danger}
          onClose={(ok) => {
            confirmation.resolve(ok);
            setConfirmation(null);
          }}
        />
      )}
    </SessionContext.Provider>
  );
}

/**
 * The organization's accent colour, set through the CSS object model: the page's CSP allows no
 * inline style, and this is not one. The value is `#rrggbb`, checked by the API.
 */
function useBranding(accentColor: string | null) {
  useEffect(() => {
    if (!accentColor || !/^#[0-9a-f]{6}$/i.test(accentColor)) return;
    const root = document.documentElement.style;
    root.setProperty('--accent', accentColor);
    return () => root.removeProperty('--accent');
  }, [accentColor]);
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'overview':
      return <OverviewScreen />;
    case 'webhooks':
      return <WebhooksScreen />;
    case 'webhook':
      return <WebhookDetailsScreen key={route.id} id={route.id} />;
    case 'agents':
      return <AgentsScreen />;
    case 'agent':
      return <AgentDetailsScreen key={route.id} id={route.id} tab={route.tab} />;
    case 'live':
      return <LiveScreen filters={route.filters} />;
    case 'not-found':
      return (
        <section>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. Go to the <a href="#/webhooks">webhooks</a>.
          </p>
        </section>
      );
  }
}
