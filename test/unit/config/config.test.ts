import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

function problemsOf(env: Record<string, string>, options?: Parameters<typeof loadConfig>[1]): readonly string[] {
  try {
    loadConfig(env, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ port: 3000, host: '127.0.0.1', bodyLimitBytes: 1_048_576 });
    expect(config.database.url).toBeNull();
    expect(config.dataDir).toMatch(/\.data$/);
    expect(config.auth).toBeNull();
    expect(config.jitProvisioning).toBe(true);
    expect(config.eraseIdpUser).toBe(false);
    expect(config.logLevel).toBe('info');
    expect(Object.isFrozen(config) && Object.isFrozen(config.http)).toBe(true);
  });

  it('derives region, issuer and JWKS from an AWS pool id', () => {
    const { auth } = loadConfig({ COGNITO_USER_POOL_ID: 'eu-west-1_AbC123', COGNITO_CLIENT_IDS: 'a1, b2' });
    expect(auth).toMatchObject({
      region: 'eu-west-1',
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
      jwksUri: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json',
      clientIds: ['a1', 'b2'],
      tokenUse: 'any',
      isAwsPool: true,
      allowInsecureIssuer: false,
    });
  });

  it('requires the pool and client ids only where asked', () => {
    expect(problemsOf({}, { require: ['auth'] })).toEqual(['COGNITO_USER_POOL_ID is required', 'COGNITO_CLIENT_IDS is required']);
    expect(problemsOf({}, { require: ['issuer'] })).toEqual(['COGNITO_USER_POOL_ID is required']);
    expect(problemsOf({ COGNITO_USER_POOL_ID: 'eu-west-1_A' }, { require: ['issuer'] })).toEqual([]);
    expect(problemsOf({}, { require: ['database'] })).toEqual([expect.stringMatching(/^DATABASE_URL is required/)]);
  });

  it('refuses an http:// issuer unless AUTH_ALLOW_INSECURE_ISSUER=true', () => {
    const env = { COGNITO_USER_POOL_ID: 'local_abc', COGNITO_CLIENT_IDS: 'c1', AUTH_ISSUER: 'http://127.0.0.1:9229/local_abc' };
    expect(problemsOf(env)).toEqual([expect.stringMatching(/^AUTH_ISSUER uses http:\/\//), expect.stringMatching(/^AUTH_JWKS_URI uses http:\/\//)]);
    expect(problemsOf({ ...env, AUTH_ALLOW_INSECURE_ISSUER: 'yes' })).toContain('AUTH_ALLOW_INSECURE_ISSUER must be true or false');
    const { auth } = loadConfig({ ...env, AUTH_ALLOW_INSECURE_ISSUER: 'true' });
    expect(auth).toMatchObject({ issuer: 'http://127.0.0.1:9229/local_abc', isAwsPool: false, allowInsecureIssuer: true });
  });

  it('needs AUTH_ISSUER for a local emulator pool', () => {
    expect(problemsOf({ COGNITO_USER_POOL_ID: 'local_abc', COGNITO_CLIENT_IDS: 'c1' })).toEqual([
      expect.stringMatching(/^AUTH_ISSUER is required/),
    ]);
  });

  it('lists every bad variable in one error', () => {
    const problems = problemsOf({
      PORT: '99999',
      BODY_LIMIT_BYTES: 'big',
      DATABASE_URL: 'mysql://x',
      COGNITO_USER_POOL_ID: 'nonsense',
      COGNITO_CLIENT_IDS: 'ok,not ok',
      AUTH_TOKEN_USE: 'refresh',
      JIT_PROVISIONING: 'maybe',
      LOG_LEVEL: 'loud',
      S3_ENDPOINT: 'ftp://x',
    });
    expect(problems).toHaveLength(9);
    for (const name of ['PORT', 'BODY_LIMIT_BYTES', 'DATABASE_URL', 'COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_IDS', 'AUTH_TOKEN_USE', 'JIT_PROVISIONING', 'LOG_LEVEL', 'S3_ENDPOINT']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT[\s\S]*LOG_LEVEL/);
  });

  it('TRIGGER_ISSUER_FROM_EVENT=true stands in for the pool only where the triggers ask, and never alongside one', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://u@h/d' }, { require: ['trigger-issuer', 'database'] })).toEqual(['COGNITO_USER_POOL_ID is required']);
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h/d', TRIGGER_ISSUER_FROM_EVENT: 'true' }, { require: ['trigger-issuer', 'database'] });
    expect(config.triggerIssuerFromEvent).toBe(true);
    expect(config.auth).toBeNull();
    expect(loadConfig({ COGNITO_USER_POOL_ID: 'eu-west-1_A' }, { require: ['trigger-issuer'] }).triggerIssuerFromEvent).toBe(false);
    // The events handler (and the API) still need the pool itself.
    expect(problemsOf({ TRIGGER_ISSUER_FROM_EVENT: 'true' }, { require: ['issuer'] })).toEqual(['COGNITO_USER_POOL_ID is required']);
    expect(problemsOf({ TRIGGER_ISSUER_FROM_EVENT: 'true', COGNITO_USER_POOL_ID: 'eu-west-1_A', COGNITO_CLIENT_IDS: 'c1' })).toEqual([
      expect.stringMatching(/^TRIGGER_ISSUER_FROM_EVENT=true cannot be combined/),
    ]);
    expect(problemsOf({ TRIGGER_ISSUER_FROM_EVENT: 'true', AUTH_ISSUER: 'https://idp.example' })).toEqual([
      expect.stringMatching(/^TRIGGER_ISSUER_FROM_EVENT=true cannot be combined/),
    ]);
    expect(problemsOf({ TRIGGER_ISSUER_FROM_EVENT: 'yes' })).toEqual(['TRIGGER_ISSUER_FROM_EVENT must be true or false']);
  });

  describe('DATABASE_IAM_AUTH', () => {
    const proxy = 'profile.proxy-c0ffee.eu-west-1.rds.amazonaws.com';

    it('is off by default', () => {
      expect(loadConfig({ DATABASE_URL: 'postgres://u:p@h/d' }).database.iamAuth).toBeNull();
    });

    it('takes the region from the RDS host name, else from AWS_REGION', () => {
      const env = { DATABASE_IAM_AUTH: 'true', DATABASE_URL: `postgres://profile_service@${proxy}:5432/profile` };
      expect(loadConfig({ ...env, AWS_REGION: 'us-east-1' }).database.iamAuth).toEqual({ region: 'eu-west-1' });
      expect(loadConfig({ ...env, DATABASE_URL: 'postgres://u@db.cn-north-1.rds.amazonaws.com.cn/d' }).database.iamAuth).toEqual({ region: 'cn-north-1' });
      expect(loadConfig({ ...env, DATABASE_URL: 'postgres://u@db.internal.example/d', AWS_REGION: 'us-east-1' }).database.iamAuth).toEqual({ region: 'us-east-1' });
      expect(problemsOf({ ...env, DATABASE_URL: 'postgres://u@db.internal.example/d' })).toEqual([expect.stringMatching(/^DATABASE_IAM_AUTH=true needs the region/)]);
    });

    it('needs a user and refuses a password or query parameters in either URL (verify-full is allowed: it is what happens anyway)', () => {
      expect(problemsOf({ DATABASE_IAM_AUTH: 'true' })).toEqual([expect.stringMatching(/^DATABASE_URL is required when DATABASE_IAM_AUTH=true/)]);
      expect(loadConfig({ DATABASE_IAM_AUTH: 'true', DATABASE_URL: `postgres://u@${proxy}/d?sslmode=verify-full` }).database.iamAuth).not.toBeNull();
      const problems = problemsOf({
        DATABASE_IAM_AUTH: 'true',
        DATABASE_URL: `postgres://${proxy}/d?sslmode=require`,
        DATABASE_READ_URL: `postgres://u:secret@${proxy}/d`,
      });
      expect(problems).toEqual([
        expect.stringMatching(/^DATABASE_URL must name the database user/),
        expect.stringMatching(/^DATABASE_URL takes no query parameters/),
        expect.stringMatching(/^DATABASE_READ_URL must not carry a password/),
      ]);
      expect(problemsOf({ DATABASE_IAM_AUTH: 'maybe' })).toEqual(['DATABASE_IAM_AUTH must be true or false']);
    });
  });
});
