import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { ProfileServiceError } from '../errors.js';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002 from './migrations/0002-complete-profile.js';
import * as m0003 from './migrations/0003-audit-chain.js';
import * as m0004 from './migrations/0004-media.js';
import * as m0005 from './migrations/0005-administration.js';
import * as m0006 from './migrations/0006-erasure.js';
import * as m0007 from './migrations/0007-audit-hash-checks.js';
import * as m0008 from './migrations/0008-role-deletion.js';

/**
 * Migrations are imported statically (not read from a folder at run time) so
 * that bundled Lambdas and the compiled CLI carry exactly the same list.
 * Names sort in the order they must run.
 */
const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-complete-profile': m0002,
  '0003-audit-chain': m0003,
  '0004-media': m0004,
  '0005-administration': m0005,
  '0006-erasure': m0006,
  '0007-audit-hash-checks': m0007,
  '0008-role-deletion': m0008,
};

const provider: MigrationProvider = {
  getMigrations: async () => migrations,
};

export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider });
}

export class MigrationFailedError extends ProfileServiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MIGRATION_FAILED', message, options);
  }
}

/** Applies every pending migration; throws (so the process exits non-zero) on any failure. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const result = await createMigrator(db).migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationFailedError(`Migration ${failed} failed: ${String(result.error)}`, { cause: result.error });
  }
  return result;
}

/** True when every known migration has been applied (the /readyz check). */
export async function migrationsCurrent(db: Kysely<any>): Promise<boolean> {
  const all = await createMigrator(db).getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}
