import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Transactions } from '../pubsub/transactions.ts';
import { UnauthenticatedError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { hashApiKey, hashesEqual } from './api-key.ts';
import type { PortalSessionRow } from './portal-sessions.table.ts';
import type { OrganizationRole, OrganizationViewer } from './viewer.ts';

/**
 * Portal sessions: a platform signs its customer into that customer's dashboard without handing
 * over an API key (docs/api.md, Portal sessions).
 *
 * 1. createPortalSession makes a link, `<dashboard>/#portal=<token>`: the token travels in the
 *    URL's fragment, which browsers never send to a server, so it reaches no request log (ours,
 *    a proxy's) and no Referer.
 * 2. The dashboard takes it out of the address bar at once and exchanges it, in a POST body,
 *    for a session credential (startPortalSession), which it keeps in the tab's session storage
 *    and sends as its bearer, as it would an API key.
 * 3. The token works for one exchange. A second exchange means the link leaked (or was opened
 *    twice): it fails, and the session the first exchange started is revoked with it.
 *
 * Only SHA-256 hashes of tokens and credentials are stored; both carry 256 random bits. The
 * session acts with its role on the organization until it expires (ttlSeconds, at most 24 h)
 * or revokePortalSessions ends every session of the organization, closing their live
 * connections like a revoked key's.
 */
export const PORTAL_TOKEN_PREFIX = 'hlp_';
export const PORTAL_CREDENTIAL_PREFIX = 'hls_';
const CREDENTIAL_PATTERN = /^hls_[A-Za-z0-9_-]{43}$/;
const TOKEN_PATTERN = /^hlp_[A-Za-z0-9_-]{43}$/;

export const DEFAULT_PORTAL_TTL_SECONDS = 3600;
export const MIN_PORTAL_TTL_SECONDS = 10;
export const MAX_PORTAL_TTL_SECONDS = 24 * 3600;
/** Roles a dashboard can have: an EMITTER has nothing to see. */
export const PORTAL_ROLES: readonly OrganizationRole[] = ['ADMIN', 'VIEWER'];

const secret = (prefix: string) => prefix + randomBytes(32).toString('base64url');

export interface CreatedPortalSession {
  id: string;
  token: string;
  expiresAt: Date;
}

export async function createPortalSession(
  db: Db,
  input: { organizationId: string; role: OrganizationRole; ttlSeconds: number; createdBy: string },
): Promise<CreatedPortalSession> {
  const token = secret(PORTAL_TOKEN_PREFIX);
  const row = await db
    .insertInto('portal_sessions')
    .values({
      id: newId('PortalSession'),
      organization_id: input.organizationId,
      role: input.role,
      token_hash: hashApiKey(token),
      created_by: input.createdBy,
      expires_at: sql<Date>`now() + make_interval(secs => ${input.ttlSeconds})`,
    })
    .returning(['id', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, token, expiresAt: row.expires_at };
}

export interface StartedPortalSession {
  credential: string;
  expiresAt: Date;
  role: OrganizationRole;
}

/**
 * Exchanges a link's token for a session credential, once. A token already exchanged revokes
 * the session it started (announced like a key's revocation, so its connections close), and
 * fails like an unknown, expired or revoked one.
 */
export async function startPortalSession(
  transactions: Transactions,
  token: string,
): Promise<StartedPortalSession> {
  const refused = () =>
    new UnauthenticatedError(
      'This portal link is not valid: it was already used, has expired or was revoked. Ask for a new one.',
    );
  if (!TOKEN_PATTERN.test(token)) throw refused();
  const tokenHash = hashApiKey(token);
  const credential = secret(PORTAL_CREDENTIAL_PREFIX);
  const outcome = await transactions(async (trx, outbox) => {
    const started = await trx
      .updateTable('portal_sessions')
      .set({ credential_hash: hashApiKey(credential), exchanged_at: sql<Date>`now()` })
      .where('token_hash', '=', tokenHash)
      .where('exchanged_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .returning(['id', 'expires_at', 'role'])
      .executeTakeFirst();
    if (started) return { started };
    const replayed = await trx
      .updateTable('portal_sessions')
      .set({ revoked_at: sql<Date>`now()` })
      .where('token_hash', '=', tokenHash)
      .where('exchanged_at', 'is not', null)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (replayed) outbox.notify({ revokedKeys: [replayed.id] });
    return { revokedId: replayed?.id };
  });
  if (!outcome.started) throw refused();
  return { credential, expiresAt: outcome.started.expires_at, role: outcome.started.role };
}

export function isPortalCredential(presented: string): boolean {
  return CREDENTIAL_PATTERN.test(presented);
}

/** The viewer of a live session's credential; undefined once expired, revoked, or unknown. */
export async function authenticatePortalCredential(
  db: Db,
  presented: string,
): Promise<OrganizationViewer | undefined> {
  const hash = hashApiKey(presented);
  const row: PortalSessionRow | undefined = await db
    .selectFrom('portal_sessions')
    .selectAll()
    .where('credential_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!row?.credential_hash || !hashesEqual(row.credential_hash, hash)) return undefined;
  return {
    kind: 'organization',
    apiKeyId: row.id,
    organizationId: row.organization_id,
    role: row.role,
    portalExpiresAt: row.expires_at,
  };
}

/** Ends every live session of the organization at once; returns their ids. */
export async function revokePortalSessions(
  transactions: Transactions,
  organizationId: string,
): Promise<string[]> {
  return transactions(async (trx, outbox) => {
    const rows = await trx
      .updateTable('portal_sessions')
      .set({ revoked_at: sql<Date>`now()` })
      .where('organization_id', '=', organizationId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .returning('id')
      .execute();
    const ids = rows.map((row) => row.id);
    if (ids.length > 0) outbox.notify({ revokedKeys: ids });
    return ids;
  });
}
