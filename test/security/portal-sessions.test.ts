import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  CreateAgentDocument,
  CreateApiKeyDocument,
  CreateOrganizationDocument,
  CreatePortalSessionDocument,
  CurrentCredentialDocument,
  CurrentOrganizationDocument,
  createHooklineClient,
  DeliveryUpdatedDocument,
  type HooklineClient,
  RevokePortalSessionsDocument,
  StartPortalSessionDocument,
} from '@hookline/client';
import { expectCode } from '../support/assertions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { sseSubscribe } from '../support/live.ts';
import { killAllProcesses, startHooklineProcess } from '../support/process.ts';
import { RawGraphqlWs } from '../support/raw.ts';
import { TEST_ADMIN_KEY } from '../support/server.ts';

/**
 * Portal sessions (docs/api.md, Portal sessions): a link signs a browser into one organization
 * with a role; its token works once, lives only in the URL's fragment, never in a log; revoking
 * ends every session at once, live connections included. The browser side is in
 * test/dashboard/portal-browser.test.ts.
 */
let database: TestDatabase | undefined;
const clients: HooklineClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await killAllProcesses();
  await database?.drop();
});

test('portal links: single use, scoped, revocable, and never in the log', async () => {
  database = await createTestDatabase('portal_sessions');
  const hookline = await startHooklineProcess({
    DATABASE_URL: database.url,
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    LOG_LEVEL: 'debug',
  });
  await hookline.waitReady();
  const clientOf = (apiKey?: string) => {
    const client = createHooklineClient({ url: hookline.url, apiKey });
    clients.push(client);
    return client;
  };
  const operator = clientOf(TEST_ADMIN_KEY);
  const org = (await operator.request(CreateOrganizationDocument, { input: { name: 'Tenant' } }))
    .createOrganization;
  const other = (await operator.request(CreateOrganizationDocument, { input: { name: 'Other' } }))
    .createOrganization;
  const admin = clientOf(org.apiKey);
  const anonymous = clientOf();
  const tokenOf = (url: string) => {
    const match = /^(http:\/\/[^/]+)\/#portal=(hlp_[\w-]{43})$/.exec(url);
    assert.ok(match, `a link with its token in the fragment: ${url}`);
    assert.equal(match[1], hookline.url, 'on the origin the API was called on');
    return match[2]!;
  };
  const secrets: string[] = [];

  // An ADMIN key makes a VIEWER link (the default) for its own organization.
  const viewerLink = (await admin.request(CreatePortalSessionDocument, { input: {} }))
    .createPortalSession;
  const viewerToken = tokenOf(viewerLink.url);
  const expiresIn = Date.parse(viewerLink.expiresAt) - Date.now();
  assert.ok(expiresIn > 3500_000 && expiresIn <= 3600_000, 'an hour by default');
  const started = (
    await anonymous.request(StartPortalSessionDocument, { input: { token: viewerToken } })
  ).startPortalSession;
  assert.equal(started.role, 'VIEWER');
  assert.match(started.credential, /^hls_/);
  secrets.push(viewerToken, started.credential);
  const viewer = clientOf(started.credential);
  assert.equal(
    (await viewer.request(CurrentOrganizationDocument)).organization?.id,
    org.organization.id,
  );
  assert.deepEqual(
    { ...(await viewer.request(CurrentCredentialDocument)).currentCredential, expiresAt: null },
    { role: 'VIEWER', portalSession: true, expiresAt: null },
  );
  await expectCode(viewer.request(CreateAgentDocument, { input: { name: 'x' } }), 'FORBIDDEN');

  // An ADMIN session manages the organization's objects, but not its keys or links.
  const adminLink = (
    await operator.request(CreatePortalSessionDocument, {
      input: { organizationId: org.organization.id, role: 'ADMIN', ttlSeconds: 600 },
    })
  ).createPortalSession;
  const adminToken = tokenOf(adminLink.url);
  const adminSession = (
    await anonymous.request(StartPortalSessionDocument, { input: { token: adminToken } })
  ).startPortalSession;
  secrets.push(adminToken, adminSession.credential);
  const portalAdmin = clientOf(adminSession.credential);
  await portalAdmin.request(CreateAgentDocument, { input: { name: 'Made in the portal' } });
  await expectCode(
    portalAdmin.request(CreateApiKeyDocument, { input: { name: 'escape hatch' } }),
    'FORBIDDEN',
  );
  await expectCode(portalAdmin.request(CreatePortalSessionDocument, { input: {} }), 'FORBIDDEN');

  // A key makes links for its own organization only; VIEWER and EMITTER keys make none.
  await expectCode(
    admin.request(CreatePortalSessionDocument, {
      input: { organizationId: other.organization.id },
    }),
    'NOT_FOUND',
  );
  const viewerKey = (
    await admin.request(CreateApiKeyDocument, { input: { name: 'ops', role: 'VIEWER' } })
  ).createApiKey.apiKey;
  await expectCode(
    clientOf(viewerKey).request(CreatePortalSessionDocument, { input: {} }),
    'FORBIDDEN',
  );

  // A leaked token exchanged a second time fails, and ends the session the first exchange began.
  await expectCode(
    anonymous.request(StartPortalSessionDocument, { input: { token: viewerToken } }),
    'UNAUTHENTICATED',
  );
  await expectCode(viewer.request(CurrentOrganizationDocument), 'UNAUTHENTICATED');
  await expectCode(
    anonymous.request(StartPortalSessionDocument, { input: { token: `hlp_${'x'.repeat(43)}` } }),
    'UNAUTHENTICATED',
  );

  // Revoking ends every session of the organization, its live connections included.
  const socket = await RawGraphqlWs.connect(hookline.url, adminSession.credential);
  assert.ok(socket.isOpen);
  const stream = await sseSubscribe(
    hookline.url,
    adminSession.credential,
    DeliveryUpdatedDocument,
    {},
  );
  assert.equal(stream.status, 200);
  const unused = (await admin.request(CreatePortalSessionDocument, { input: {} }))
    .createPortalSession;
  secrets.push(tokenOf(unused.url));
  const revoked = (await admin.request(RevokePortalSessionsDocument, { input: {} }))
    .revokePortalSessions;
  assert.equal(revoked.revokedCount, 2, 'the ADMIN session and the unused link');
  assert.equal((await socket.closed).code, 4403);
  const last = await stream.results.next();
  assert.equal(last.value?.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  stream.close();
  await expectCode(portalAdmin.request(CurrentOrganizationDocument), 'UNAUTHENTICATED');
  await expectCode(
    anonymous.request(StartPortalSessionDocument, { input: { token: tokenOf(unused.url) } }),
    'UNAUTHENTICATED',
  );

  // Nothing of a link or a session reached the log, at debug.
  assert.equal(await hookline.stop(), 0);
  const output = hookline.output();
  for (const secret of secrets) {
    assert.ok(!output.includes(secret), `the log holds ${secret.slice(0, 6)}…`);
    assert.ok(!output.includes(secret.slice(4)), 'not even without its prefix');
  }
  assert.match(output, /"operationName":"StartPortalSession"/, 'the exchanges were logged');
});
