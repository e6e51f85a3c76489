import type { Kysely } from 'kysely';
import type { Config } from '../config/index.js';
import { createDb, type PoolOptions } from './connection.js';
import { startEmbeddedPostgres } from './embedded.js';
import type { Database } from './schema.js';

export type { Database } from './schema.js';
export * from './schema.js';
export { createDb, isDatabaseUnavailable, type IamAuthOptions, type PoolOptions } from './connection.js';
export { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';
export { migrateToLatest, migrationsCurrent, createMigrator, MigrationFailedError } from './migrate.js';

export type Db = Kysely<Database>;

export interface Databases {
  /** The primary: every write and every read that must see it. */
  db: Db;
  /** The read replica when DATABASE_READ_URL is set, else the primary. */
  readDb: Db;
  /** The connection string in use (embedded or configured). */
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the configured database, or starts the embedded server in DATA_DIR
 * when DATABASE_URL is unset. `close()` ends the pools and stops a server
 * this process started.
 */
export async function openDatabases(
  config: Config,
  options: PoolOptions & { log?: (line: string) => void } = {},
): Promise<Databases> {
  const embedded = config.database.url === null ? await startEmbeddedPostgres(config.dataDir, options.log) : null;
  const url = config.database.url ?? embedded!.url;
  const poolOptions = { max: config.database.poolMax, iamAuth: config.database.iamAuth, ...options };
  const db = createDb(url, poolOptions);
  const readDb = config.database.readUrl === null ? db : createDb(config.database.readUrl, poolOptions);
  return {
    db,
    readDb,
    url,
    async close() {
      if (readDb !== db) await readDb.destroy();
      await db.destroy();
      await embedded?.stop();
    },
  };
}
