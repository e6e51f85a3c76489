/**
 * Benchmark child: the bare baseline for GET /v1/me. `node:http` + `pg` +
 * `aws-jwt-verify`: per request it parses the bearer header, verifies the
 * token with the same checks as the app, runs the same SQL text as the app
 * (recorded from it by the parent, passed in BENCH_SQL), turns the row into
 * the profile document with the app's own pure mapper (`toProfileDocument`:
 * domain work both sides must do, and the document cannot drift) and
 * answers 200 with an ETag, serialised with JSON.stringify. No framework,
 * no logging, no request ids, no metrics: the floor the app is compared
 * against.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import pg from 'pg';
import { toProfileDocument, type DocumentRows } from '../src/profiles/model.js';
import { requireEnv, runServerChild } from './common.js';

/** aws-jwt-verify's own fetcher speaks https only; the bench JWKS is served over http on 127.0.0.1. */
const httpFetcher: Fetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await fetch(uri, { redirect: 'error', signal: AbortSignal.timeout(3000) });
    if (response.status !== 200) throw new Error(`JWKS endpoint answered HTTP ${response.status}`);
    return response.arrayBuffer();
  },
};

/** The statement's columns: JSON rows (timestamps as strings) and aggregates, in snake_case. */
type RawRow = Record<string, unknown>;

const TIMESTAMPS = ['created_at', 'updated_at'];

/** What the repository does with the row: timestamps back to Dates, `job_seeker` → `jobSeeker`. */
function toDocumentRows(raw: RawRow): DocumentRows {
  const rows: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(raw)) {
    let revived = value;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const key of TIMESTAMPS) if (typeof copy[key] === 'string') copy[key] = new Date(copy[key] as string);
      revived = copy;
    }
    rows[column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = revived;
  }
  return rows as unknown as DocumentRows;
}

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

runServerChild('baseline', async () => {
  const issuer = requireEnv('BENCH_ISSUER');
  const jwksUri = requireEnv('BENCH_JWKS_URI');
  const clientIds = requireEnv('BENCH_CLIENT_IDS').split(',');
  const query = requireEnv('BENCH_SQL');

  const verifier = JwtVerifier.create(
    {
      issuer,
      jwksUri,
      // As in the app: aud (ID token) / client_id (access token) and token_use are checked by
      // validateCognitoJwtFields; the same 5 s clock skew on exp.
      audience: null,
      graceSeconds: 5,
      customJwtCheck: ({ payload }: { payload: JwtPayload }) =>
        validateCognitoJwtFields(payload, { tokenUse: null, clientId: clientIds }),
    },
    { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
  );
  await verifier.hydrate();

  // The same pool settings as the app's createDb (size, statement timeout).
  const pool = new pg.Pool({
    connectionString: requireEnv('DATABASE_URL'),
    max: Number(requireEnv('BENCH_POOL_MAX')),
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 10_000,
    application_name: requireEnv('BENCH_APPLICATION_NAME'),
  });
  pool.on('error', () => {});

  const send = (res: ServerResponse, status: number, body: string, etag?: string) => {
    const headers: Record<string, string | number> = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    };
    if (etag !== undefined) headers.etag = etag;
    res.writeHead(status, headers);
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || req.url !== '/v1/me') return send(res, 404, '{"status":404}');
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (match?.[1] === undefined) return send(res, 401, '{"status":401}');
    let payload: JwtPayload;
    try {
      payload = await verifier.verify(match[1]);
    } catch {
      return send(res, 401, '{"status":401}');
    }
    const result = await pool.query<RawRow>(query, [issuer, payload.sub]);
    const row = result.rows[0];
    if (row === undefined) return send(res, 404, '{"status":404}');
    const document = toProfileDocument(toDocumentRows(row));
    send(res, 200, JSON.stringify(document), `"${document.version}"`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 503, '{"status":503}');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
});
