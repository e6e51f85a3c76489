import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevUser, freePort } from '../../src/dev/index.js';
import { startLocalStack, type LocalStack } from '../../src/dev/stack.js';

/**
 * The local stack as `npm start` runs it: embedded PostgreSQL, cognito-local,
 * the Lambda Invoke endpoint with the real Post Confirmation handler, and the
 * API on a real socket. JIT provisioning is off, so a profile can only exist
 * because the trigger created it.
 */
describe('local stack: sign-up → Post Confirmation → PostgreSQL → /v1/me', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let stack: LocalStack;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'profile-service-e2e-'));
    env = {
      DATA_DIR: dataDir,
      PORT: '0',
      COGNITO_LOCAL_PORT: String(await freePort('127.0.0.1')),
      // Any free port: the default (4569) may be taken by another test file or a running stack.
      S3_LOCAL_PORT: '0',
      JIT_PROVISIONING: 'false',
      LOG_LEVEL: 'silent',
    };
    stack = await startLocalStack(env);
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const me = (token: string, init: RequestInit = {}) =>
    fetch(`${stack.apiUrl}/v1/me`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

  it('a confirmed sign-up has a profile created by the trigger, served to its token', async () => {
    const user = await createDevUser({ cognitoUrl: stack.cognitoUrl, userPoolId: stack.userPoolId, clientId: stack.clientId, email: 'ada@example.com' });

    for (const token of [user.idToken, user.accessToken]) {
      const res = await me(token);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as any;
      expect(doc.identity).toMatchObject({ issuer: stack.issuer, subject: user.sub });
    }
    const idDoc = (await (await me(user.idToken)).json()) as any;
    expect(idDoc.identity).toMatchObject({ email: 'ada@example.com', emailVerified: true });

    // The Pre Token Generation trigger (through cognito-local) added our claims to the ID token.
    const claims = JSON.parse(Buffer.from(user.idToken.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ profile_user_id: idDoc.id, profile_roles: 'job_seeker' });

    const events = await stack.databases.db.selectFrom('audit_events').selectAll().where('user_id', '=', idDoc.id).execute();
    expect(events.map((e) => [e.action, e.source])).toEqual([['user.provisioned', 'post_confirmation']]);

    const patched = await me(user.idToken, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json', 'if-match': '"1"' },
      body: JSON.stringify({ profile: { givenName: 'Ada', location: { country: 'GB' } } }),
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('"2"');
  });

  it('a token from another issuer is refused; a user with no row gets 404 (JIT off)', async () => {
    const forged = `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'CognitoLocal' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'http://evil.example.com', sub: 'x', token_use: 'id', exp: 9999999999 })).toString('base64url')}.sig`;
    const res = await me(forged);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('restarting on the same data directory keeps the pool, the issuer, the users and their tokens', async () => {
    const user = await createDevUser({ cognitoUrl: stack.cognitoUrl, userPoolId: stack.userPoolId, clientId: stack.clientId, email: 'grace@example.com' });
    const before = (await (await me(user.idToken)).json()) as any;
    const { userPoolId, issuer } = stack;
    await stack.stop();

    stack = await startLocalStack(env);
    expect(stack.userPoolId).toBe(userPoolId);
    expect(stack.issuer).toBe(issuer);
    const after = await me(user.idToken);
    expect(after.status).toBe(200);
    expect(((await after.json()) as any).id).toBe(before.id);
  });
});
