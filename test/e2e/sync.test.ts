import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevUser, freePort } from '../../src/dev/index.js';
import { startLocalStack, type LocalStack } from '../../src/dev/stack.js';
import { loadConfig } from '../../src/config/index.js';
import { eraseUser } from '../../src/erasure/index.js';
import { identityProviderFor } from '../../src/erasure/wiring.js';
import { CognitoUserDirectory } from '../../src/sync/directory.js';
import { reconcile, type ReconcileOptions } from '../../src/sync/reconcile.js';

/**
 * Reconciliation against cognito-local: users made without the trigger, users
 * deleted in Cognito, attributes changed in Cognito. (Paging and throttling
 * are tested against a stub: cognito-local ignores Limit and PaginationToken.)
 */
describe('reconcile against cognito-local', () => {
  let dataDir: string;
  let stack: LocalStack;
  let cognito: CognitoIdentityProviderClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'profile-service-sync-'));
    stack = await startLocalStack({
      DATA_DIR: dataDir,
      PORT: '0',
      COGNITO_LOCAL_PORT: String(await freePort('127.0.0.1')),
      S3_LOCAL_PORT: String(await freePort('127.0.0.1')),
      LOG_LEVEL: 'silent',
    });
    cognito = new CognitoIdentityProviderClient({ endpoint: stack.cognitoUrl, region: 'local', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  });
  afterAll(async () => {
    cognito?.destroy();
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const run = (overrides: Partial<ReconcileOptions>) =>
    reconcile(stack.databases.db, new CognitoUserDirectory(stack.userPoolId, { region: 'local', endpoint: stack.cognitoUrl }), {
      issuer: stack.issuer,
      fix: false,
      dryRun: false,
      rate: 25,
      maxErasures: 10,
      force: false,
      erase: async (userId) => void (await eraseUser(stack.databases.db, userId, { objects: null, identityProvider: null }, { actor: { type: 'system', id: 'reconcile' }, source: 'reconcile' })),
      ...overrides,
    });
  const statusOf = async (sub: string) =>
    (
      await stack.databases.db
        .selectFrom('identities as i')
        .innerJoin('users as u', 'u.id', 'i.user_id')
        .select(['u.status', 'i.email'])
        .where('i.issuer', '=', stack.issuer)
        .where('i.subject', '=', sub)
        .executeTakeFirst()
    ) ?? null;

  it('provisions a user made with AdminCreateUser (no trigger fired)', async () => {
    const created = await cognito.send(
      new AdminCreateUserCommand({ UserPoolId: stack.userPoolId, Username: 'admin-made@example.com', UserAttributes: [{ Name: 'email', Value: 'admin-made@example.com' }], MessageAction: 'SUPPRESS' }),
    );
    const sub = created.User!.Attributes!.find((a) => a.Name === 'sub')!.Value!;
    expect(await statusOf(sub)).toBeNull();

    const report = await run({});
    expect(report.missingInDatabase.map((m) => m.sub)).toContain(sub);
    expect(await statusOf(sub)).toBeNull();

    const fixed = await run({ fix: true });
    expect(fixed.missingInDatabase).toContainEqual({ sub, fixed: true });
    expect(await statusOf(sub)).toEqual({ status: 'active', email: 'admin-made@example.com' });
  });

  it('a user deleted in Cognito is reported by --dry-run and erased by --fix', async () => {
    const user = await createDevUser({ cognitoUrl: stack.cognitoUrl, userPoolId: stack.userPoolId, clientId: stack.clientId, email: 'leaver@example.com' });
    expect(await statusOf(user.sub)).toMatchObject({ status: 'active' });
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: stack.userPoolId, Username: 'leaver@example.com' }));

    const dry = await run({ fix: true, dryRun: true });
    expect(dry.goneFromDirectory).toContainEqual(expect.objectContaining({ sub: user.sub, fixed: false }));
    expect(await statusOf(user.sub)).toMatchObject({ status: 'active' });

    const fixed = await run({ fix: true });
    expect(fixed.goneFromDirectory).toContainEqual(expect.objectContaining({ sub: user.sub, fixed: true }));
    expect(await statusOf(user.sub)).toEqual({ status: 'erased', email: null });
  });

  it('an email changed in Cognito is refreshed', async () => {
    const user = await createDevUser({ cognitoUrl: stack.cognitoUrl, userPoolId: stack.userPoolId, clientId: stack.clientId, email: 'mover@example.com' });
    await cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: stack.userPoolId,
        Username: 'mover@example.com',
        UserAttributes: [{ Name: 'email', Value: 'moved@example.com' }],
      }),
    );
    const fixed = await run({ fix: true });
    expect(fixed.drifted).toContainEqual(expect.objectContaining({ sub: user.sub, fields: expect.arrayContaining(['email']), fixed: true }));
    expect(await statusOf(user.sub)).toMatchObject({ email: 'moved@example.com' });
    const again = await run({ fix: true });
    expect(again.drifted).toEqual([]);
  });

  it('with ERASE_IDP_USER=true, erasure deletes the Cognito user too', async () => {
    const user = await createDevUser({ cognitoUrl: stack.cognitoUrl, userPoolId: stack.userPoolId, clientId: stack.clientId, email: 'forget-me@example.com' });
    const config = loadConfig({
      COGNITO_USER_POOL_ID: stack.userPoolId,
      COGNITO_CLIENT_IDS: stack.clientId,
      AUTH_ISSUER: stack.issuer,
      AUTH_ALLOW_INSECURE_ISSUER: 'true',
      COGNITO_ENDPOINT: stack.cognitoUrl,
      ERASE_IDP_USER: 'true',
    });
    const userId = (await stack.databases.db.selectFrom('identities').select('user_id').where('subject', '=', user.sub).executeTakeFirstOrThrow()).user_id;
    const result = await eraseUser(stack.databases.db, userId, { objects: null, identityProvider: identityProviderFor(config) }, { actor: { type: 'user', id: userId }, source: 'api' });
    expect(result.identityProviderDeleted).toBe(true);
    const directory = new CognitoUserDirectory(stack.userPoolId, { region: 'local', endpoint: stack.cognitoUrl });
    expect(await directory.findBySub(user.sub)).toBeNull();
    const report = await run({});
    expect(report.erasedButInDirectory.map((e) => e.sub)).not.toContain(user.sub);
  });
});
