import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../../src/config/index.js';
import { InvalidTokenError } from '../../../src/errors.js';
import { createTokenVerifier, JwksUnavailableError } from '../../../src/identity/index.js';
import { accessTokenClaims, createTestKey, jwksOf, signRs256 } from '../../fixtures/identity/sign.js';

const KEY = createTestKey('local-key');
const CLIENT_ID = 'localclient1';
const POOL = 'local_Test';

interface JwksServer {
  server: Server;
  issuer: string;
  hits: string[];
}

const servers: Server[] = [];

/** A stand-in for cognito-local's `{IssuerDomain}/{poolId}/.well-known/jwks.json`, over plain http. */
async function startJwksServer(respond: (res: ServerResponse) => void = serveJwks): Promise<JwksServer> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url !== `/${POOL}/.well-known/jwks.json`) {
      res.writeHead(404).end();
      return;
    }
    respond(res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, issuer: `http://127.0.0.1:${port}/${POOL}`, hits };
}

function serveJwks(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwksOf(KEY)));
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

afterEach(async () => {
  await Promise.all(servers.splice(0).filter((s) => s.listening).map(stop));
});

function authFor(issuer: string): AuthConfig {
  return {
    userPoolId: POOL,
    region: 'local',
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    clientIds: [CLIENT_ID],
    tokenUse: 'any',
    allowInsecureIssuer: true,
    isAwsPool: false,
  };
}

function tokenFor(issuer: string): string {
  return signRs256(KEY, accessTokenClaims({ issuer, clientId: CLIENT_ID, nowSeconds: Math.floor(Date.now() / 1000) }));
}

describe('JWKS over http with the default fetcher', () => {
  it('downloads the JWKS once and verifies tokens with it', async () => {
    const { issuer, hits } = await startJwksServer();
    const verifier = createTokenVerifier(authFor(issuer));
    await expect(verifier.verify(tokenFor(issuer))).resolves.toMatchObject({ issuer, tokenUse: 'access', clientId: CLIENT_ID });
    await expect(verifier.verify(tokenFor(issuer))).resolves.toMatchObject({ username: 'alice' });
    expect(hits).toEqual([`/${POOL}/.well-known/jwks.json`]);
  });

  it('still rejects a bad token as InvalidTokenError', async () => {
    const { issuer } = await startJwksServer();
    const verifier = createTokenVerifier(authFor(issuer));
    const [header, payload] = tokenFor(issuer).split('.');
    await expect(verifier.verify(`${header}.${payload}.AAAA`)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('reports a server that is down as JwksUnavailableError', async () => {
    const { server, issuer } = await startJwksServer();
    await stop(server); // the port is now closed: connection refused
    const verifier = createTokenVerifier(authFor(issuer));
    await expect(verifier.verify(tokenFor(issuer))).rejects.toBeInstanceOf(JwksUnavailableError);
    await expect(verifier.hydrate()).rejects.toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE' });
  });

  it('reports an error status as JwksUnavailableError', async () => {
    const { issuer } = await startJwksServer((res) => res.writeHead(503).end());
    const verifier = createTokenVerifier(authFor(issuer));
    await expect(verifier.hydrate()).rejects.toBeInstanceOf(JwksUnavailableError);
  });
});
