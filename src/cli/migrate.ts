import { migrateToLatest } from '../db/index.js';
import { cliConfig, usingDb } from './context.js';

/** `profile-service migrate`: apply pending migrations; any failure exits non-zero. */
export async function migrateCommand(): Promise<void> {
  const config = cliConfig();
  await usingDb(config, async ({ db }) => {
    const { results = [] } = await migrateToLatest(db);
    if (results.length === 0) console.log('Database schema is up to date.');
    for (const r of results) console.log(`${r.status === 'Success' ? 'applied' : r.status.toLowerCase()}: ${r.migrationName}`);
  });
}
