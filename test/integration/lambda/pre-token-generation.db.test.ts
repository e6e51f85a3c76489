import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PreTokenGenerationTriggerEvent, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { grantRoleToUser } from '../../../src/access/index.js';
import { createDb } from '../../../src/db/index.js';
import { createPreTokenGenerationHandler } from '../../../src/lambda/pre-token-generation-handler.js';
import { ensureUser } from '../../../src/users/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

/** Event shapes as Cognito sends them (V1_0, V2_0; personal values replaced) and as cognito-local sends them. */
function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/cognito/${name}`, import.meta.url), 'utf8')) as T;
}
const V1 = fixture<PreTokenGenerationTriggerEvent>('pre-token-generation-v1.json');
const V2 = fixture<PreTokenGenerationV2TriggerEvent>('pre-token-generation-v2.json');
const LOCAL = fixture<PreTokenGenerationTriggerEvent>('pre-token-generation-local.json');
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE1';

function logger() {
  return { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

describe('Pre Token Generation handler', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  const handlerFor = (log = logger(), userPoolId = V1.userPoolId, extra: { timeoutMs?: number } = {}) =>
    createPreTokenGenerationHandler({ db: t.db, issuer: ISSUER, userPoolId, logger: log, groupRoles: [{ group: 'support-team', role: 'support' }], ...extra });

  const userOf = async (sub: string) =>
    (await t.db.selectFrom('identities').select('user_id').where('issuer', '=', ISSUER).where('subject', '=', sub).executeTakeFirst())?.user_id;

  it('V1: provisions a missing user, adds id and roles to the ID token only, keeps the rest of the event', async () => {
    const log = logger();
    const event = structuredClone(V1);
    const result = await handlerFor(log)(event);
    const userId = await userOf(V1.request.userAttributes.sub!);
    expect(userId).toBeDefined();
    expect(result.response).toEqual({ claimsOverrideDetails: { claimsToAddOrOverride: { profile_user_id: userId, profile_roles: 'job_seeker' } } });
    expect({ ...result, response: null }).toEqual({ ...V1, response: null });
    expect(event).toEqual(V1); // the input is not mutated
    const events = await t.db.selectFrom('audit_events').select(['source', 'action']).where('user_id', '=', userId!).execute();
    expect(events).toEqual([{ source: 'pre_token_generation', action: 'user.provisioned' }]);
    expect(JSON.stringify([log.info.mock.calls, log.error.mock.calls])).not.toMatch(/jane|example\.com/);
  });

  it('V2: both tokens get the claims, including roles the groups confer; existing overrides are kept', async () => {
    const sub = V2.request.userAttributes.sub!;
    const { userId } = await ensureUser(t.db, { issuer: ISSUER, subject: sub, source: 'cli' });
    await grantRoleToUser(t.db, userId, 'admin', { type: 'system', id: 'test' }, { source: 'test' });
    const event = structuredClone(V2);
    event.response.claimsAndScopeOverrideDetails = { accessTokenGeneration: { scopesToAdd: ['profile/read'], claimsToAddOrOverride: { tenant: 'acme' } } };
    const result = await handlerFor()(event);
    const claims = { profile_user_id: userId, profile_roles: 'admin job_seeker support' };
    expect(result.response.claimsAndScopeOverrideDetails).toEqual({
      idTokenGeneration: { claimsToAddOrOverride: claims },
      accessTokenGeneration: { scopesToAdd: ['profile/read'], claimsToAddOrOverride: { tenant: 'acme', ...claims } },
    });
    expect(await t.db.selectFrom('audit_events').select('id').where('user_id', '=', userId).execute()).toHaveLength(2); // provisioned + granted only
  });

  it("cognito-local's shape (version 0, empty groupConfiguration) is handled as V1", async () => {
    const result = await handlerFor(logger(), LOCAL.userPoolId)(structuredClone(LOCAL));
    const userId = await userOf(LOCAL.request.userAttributes.sub!);
    expect(result.response.claimsOverrideDetails?.claimsToAddOrOverride).toEqual({ profile_user_id: userId, profile_roles: 'job_seeker' });
  });

  it('never blocks sign-in: database down, another pool, no sub, another trigger → the event unchanged', async () => {
    const down = createDb('postgres://nobody@127.0.0.1:1/none', { connectionTimeoutMillis: 300 });
    try {
      const log = logger();
      const event = structuredClone(V1);
      const started = Date.now();
      const result = await createPreTokenGenerationHandler({ db: down, issuer: ISSUER, userPoolId: V1.userPoolId, logger: log, timeoutMs: 1500 })(event);
      expect(result).toBe(event);
      expect(result).toEqual(V1);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(log.error).toHaveBeenCalledOnce();
      expect(JSON.stringify(log.error.mock.calls)).not.toMatch(/jane|example\.com|8a4b1c2d/);
    } finally {
      await down.destroy();
    }
    const other = structuredClone(V1);
    expect(await handlerFor(logger(), 'eu-west-1_Other')(other)).toBe(other);
    const noSub = structuredClone(V1);
    delete (noSub.request.userAttributes as Record<string, string>).sub;
    expect(await handlerFor()(noSub)).toBe(noSub);
    const notOurs = { ...structuredClone(V1), triggerSource: 'PostConfirmation_ConfirmSignUp' } as unknown as PreTokenGenerationTriggerEvent;
    expect(await handlerFor()(notOurs)).toBe(notOurs);
  });

  it('with issuerFromEvent (ADR 0003): a V2 event from the pool gets the claims of the user keyed on that pool\'s issuer', async () => {
    const sub = 'sub-ptg-from-event';
    const { userId } = await ensureUser(t.db, { issuer: ISSUER, subject: sub, source: 'cli' });
    const event = structuredClone(V2);
    event.request.userAttributes.sub = sub;
    event.request.groupConfiguration.groupsToOverride = [];
    const handler = createPreTokenGenerationHandler({ db: t.db, issuerFromEvent: true, logger: logger() });
    const result = await handler(event);
    expect(result.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride).toEqual({
      profile_user_id: userId,
      profile_roles: 'job_seeker',
    });
    // cognito-local's pool is not an AWS pool: nothing derived, the event comes back as it was.
    const local = structuredClone(LOCAL);
    expect(await handler(local)).toBe(local);
  });
});
