import { createServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';

// No local server offers RDS IAM authentication, so the AWS SDK's signer is
// replaced: these tests check that its token is what pg sends as the
// password, for the right endpoint, user and region, and never without TLS.
const signer = vi.hoisted(() => ({ constructed: [] as unknown[], tokens: 0 }));
vi.mock('@aws-sdk/rds-signer', () => ({
  Signer: class {
    constructor(readonly target: unknown) {
      signer.constructed.push(target);
    }
    async getAuthToken() {
      signer.tokens += 1;
      return `token-${signer.tokens}`;
    }
  },
}));

const { poolConfig } = await import('../../../src/db/connection.js');

const PROXY = 'profile.proxy-c0ffee.eu-west-1.rds.amazonaws.com';

afterEach(() => {
  signer.constructed.length = 0;
  signer.tokens = 0;
});

describe('poolConfig', () => {
  it('without IAM authentication passes the connection string through (password and TLS as it says)', () => {
    const config = poolConfig('postgres://u:p@127.0.0.1:5432/d', { max: 3 });
    expect(config).toMatchObject({ connectionString: 'postgres://u:p@127.0.0.1:5432/d', max: 3 });
    expect(config.password).toBeUndefined();
    expect(config.ssl).toBeUndefined();
    expect(signer.constructed).toEqual([]);
  });

  it('with IAM authentication: the URL taken apart, verified TLS, and a password function that returns a fresh RDS token', async () => {
    const config = poolConfig(`postgres://profile_service@${PROXY}:5432/profile`, { iamAuth: { region: 'eu-west-1' }, applicationName: 'x' });
    expect(config).toMatchObject({ host: PROXY, port: 5432, user: 'profile_service', database: 'profile', application_name: 'x' });
    // No connection string: pg would let its empty password override the function.
    expect(config.connectionString).toBeUndefined();
    expect(config.ssl).toEqual({ rejectUnauthorized: true });
    expect(signer.constructed).toEqual([{ hostname: PROXY, port: 5432, username: 'profile_service', region: 'eu-west-1' }]);
    expect(typeof config.password).toBe('function');
    const password = config.password as () => Promise<string>;
    expect(await password()).toBe('token-1');
    expect(await password()).toBe('token-2'); // one per connection: tokens expire after 15 minutes
  });

  it('defaults the port to 5432 and decodes the user; a custom token source replaces the signer', async () => {
    const targets: unknown[] = [];
    const config = poolConfig(`postgres://app%2Buser@${PROXY}/profile`, {
      iamAuth: { region: 'eu-west-1', tokenSource: (target) => (targets.push(target), async () => 'custom') },
    });
    expect(targets).toEqual([{ hostname: PROXY, port: 5432, username: 'app+user', region: 'eu-west-1' }]);
    expect(await (config.password as () => Promise<string>)()).toBe('custom');
    expect(signer.constructed).toEqual([]);
  });

  it('pg refuses a server that does not offer TLS before any token is made', async () => {
    // A server that answers the SSLRequest with "N" (no TLS), as a plain PostgreSQL would.
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => socket.write('N'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new pg.Client(poolConfig(`postgres://u@127.0.0.1:${port}/d`, { iamAuth: { region: 'eu-west-1' } }));
    try {
      await expect(client.connect()).rejects.toThrow(/does not support SSL/);
      expect(signer.tokens).toBe(0);
    } finally {
      await client.end().catch(() => {});
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
