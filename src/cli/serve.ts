import { openDatabases } from '../db/index.js';
import { buildApp } from '../http/app.js';
import { createTokenVerifier } from '../identity/index.js';
import { cliConfig } from './context.js';
import { onShutdown } from './shutdown.js';

/** `profile-service serve`: the API alone, configured by the environment (production). */
export async function serveCommand(): Promise<void> {
  const config = cliConfig({ require: ['auth'] });
  const databases = await openDatabases(config);
  const verifier = createTokenVerifier(config.auth!);
  const app = await buildApp(config, { db: databases.db, readDb: databases.readDb, verifier });
  onShutdown(async () => {
    await app.close();
    await databases.close();
  });
  await app.listen({ port: config.http.port, host: config.http.host });
  // Warm the key cache; a failure here is not fatal (keys are fetched on demand).
  await verifier.hydrate().catch((error) => app.log.warn({ err: error }, 'JWKS prefetch failed'));
}
