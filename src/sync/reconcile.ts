import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { ProfileServiceError } from '../errors.js';
import { ensureUser } from '../users/index.js';
import type { DirectoryUser, UserDirectory } from './directory.js';
import { refreshIdentity } from './identity.js';
import { Throttle } from './throttle.js';

export interface ReconcileOptions {
  issuer: string;
  /** Repair what differs; otherwise only report. */
  fix: boolean;
  /** Report what `fix` would do, change nothing (wins over `fix`). */
  dryRun: boolean;
  /** ListUsers calls per second (the UserList quota is 30/s). */
  rate: number;
  /** Refuse to erase more than this many users in one run unless `force`. */
  maxErasures: number;
  force: boolean;
  /** Erases one user (the one erasure path). */
  erase: (userId: string) => Promise<void>;
  throttle?: Throttle;
}

export interface ReconcileReport {
  issuer: string;
  mode: 'report' | 'dry-run' | 'fix';
  directoryUsers: number;
  databaseIdentities: number;
  pages: number;
  throttled: number;
  /** In the pool, no row here: provisioned with `fix`. */
  missingInDatabase: { sub: string; fixed: boolean }[];
  /** A row here, gone from the pool: erased with `fix`. */
  goneFromDirectory: { userId: string; sub: string; fixed: boolean }[];
  /** email / email_verified differ: refreshed with `fix`. */
  drifted: { userId: string; sub: string; fields: string[]; fixed: boolean }[];
  /** Erased here but still in the pool: reported only (erasure is final). */
  erasedButInDirectory: { userId: string; sub: string }[];
}

export class MassErasureRefusedError extends ProfileServiceError {
  constructor(count: number, limit: number) {
    super('ERR_MASS_ERASURE_REFUSED', `Refusing to erase ${count} users (limit ${limit}); check the pool and issuer, then rerun with --force`);
  }
}

interface KnownIdentity {
  userId: string;
  email: string | null;
  emailVerified: boolean | null;
  status: string;
}

/**
 * Compares the whole pool with our identities for `issuer` and reports (and
 * with `fix`, repairs) every difference: users missing here are provisioned
 * through ensureUser (source `reconcile`), users gone from the pool are
 * erased, drifted identity attributes are refreshed. ListUsers is paged and
 * throttled below the quota; throttling errors back off and retry.
 */
export async function reconcile(db: Kysely<Database>, directory: UserDirectory, options: ReconcileOptions): Promise<ReconcileReport> {
  const throttle = options.throttle ?? new Throttle({ rate: options.rate });
  const apply = options.fix && !options.dryRun;
  const known = await loadIdentities(db, options.issuer);
  const report: ReconcileReport = {
    issuer: options.issuer,
    mode: options.dryRun ? 'dry-run' : options.fix ? 'fix' : 'report',
    directoryUsers: 0,
    databaseIdentities: known.size,
    pages: 0,
    throttled: 0,
    missingInDatabase: [],
    goneFromDirectory: [],
    drifted: [],
    erasedButInDirectory: [],
  };

  const seen = new Set<string>();
  for (let token: string | null = null, first = true; first || token !== null; first = false) {
    const page = await throttle.run(() => directory.listUsers(token));
    report.pages++;
    for (const user of page.users) {
      if (seen.has(user.sub)) continue; // ListUsers is eventually consistent; a page may repeat a user
      seen.add(user.sub);
      report.directoryUsers++;
      await compareOne(db, user, known.get(user.sub), options, apply, report);
    }
    token = page.nextToken;
  }

  const gone = [...known].filter(([sub, identity]) => !seen.has(sub) && identity.status !== 'erased');
  if (apply && gone.length > options.maxErasures && !options.force) throw new MassErasureRefusedError(gone.length, options.maxErasures);
  for (const [sub, identity] of gone) {
    if (apply) await options.erase(identity.userId);
    report.goneFromDirectory.push({ userId: identity.userId, sub, fixed: apply });
  }
  report.throttled = throttle.throttled;
  return report;
}

async function compareOne(
  db: Kysely<Database>,
  user: DirectoryUser,
  identity: KnownIdentity | undefined,
  options: ReconcileOptions,
  apply: boolean,
  report: ReconcileReport,
): Promise<void> {
  if (identity === undefined) {
    if (apply) {
      await ensureUser(db, { issuer: options.issuer, subject: user.sub, email: user.email, emailVerified: user.emailVerified, source: 'reconcile' });
    }
    report.missingInDatabase.push({ sub: user.sub, fixed: apply });
    return;
  }
  if (identity.status === 'erased') {
    report.erasedButInDirectory.push({ userId: identity.userId, sub: user.sub });
    return;
  }
  const fields = [
    ...(identity.email === user.email ? [] : ['email']),
    ...(identity.emailVerified === user.emailVerified ? [] : ['emailVerified']),
  ];
  if (fields.length === 0) return;
  if (apply) {
    await refreshIdentity(db, options.issuer, user.sub, { email: user.email, emailVerified: user.emailVerified }, { source: 'reconcile' });
  }
  report.drifted.push({ userId: identity.userId, sub: user.sub, fields, fixed: apply });
}

/** Every identity of the issuer, keyed by subject; streamed in pages so a million rows stay cheap. */
async function loadIdentities(db: Kysely<Database>, issuer: string): Promise<Map<string, KnownIdentity>> {
  const known = new Map<string, KnownIdentity>();
  for (let after = ''; ; ) {
    const rows = await db
      .selectFrom('identities as i')
      .innerJoin('users as u', 'u.id', 'i.user_id')
      .select(['i.subject', 'i.user_id', 'i.email', 'i.email_verified', 'u.status'])
      .where('i.issuer', '=', issuer)
      .where('i.subject', '>', after)
      .orderBy('i.subject')
      .limit(10_000)
      .execute();
    for (const r of rows) known.set(r.subject, { userId: r.user_id, email: r.email, emailVerified: r.email_verified, status: r.status });
    if (rows.length < 10_000) return known;
    after = rows[rows.length - 1]!.subject;
  }
}
