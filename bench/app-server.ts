/**
 * Benchmark child: the real API, started the way `profile-service serve`
 * starts it (src/cli/serve.ts): configuration from the environment, the same
 * database pool, verifier and app, the JWKS prefetched. Only the port is
 * reported to the parent over IPC instead of being fixed in advance.
 */
import { loadConfig } from '../src/config/index.js';
import { openDatabases } from '../src/db/index.js';
import { buildApp } from '../src/http/app.js';
import { createTokenVerifier } from '../src/identity/index.js';
import { runServerChild } from './common.js';

runServerChild('app', async () => {
  const config = loadConfig(process.env, { require: ['auth'] });
  if (config.database.url === null) throw new Error('DATABASE_URL is required (the parent runs the database)');
  const databases = await openDatabases(config);
  const verifier = createTokenVerifier(config.auth!);
  const app = await buildApp(config, { db: databases.db, verifier });
  await app.listen({ port: config.http.port, host: config.http.host });
  await verifier.hydrate();
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    async close() {
      await app.close();
      await databases.close();
    },
  };
});
