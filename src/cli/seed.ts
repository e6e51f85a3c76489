import { parseArgs } from 'node:util';
import { seedUsers } from '../seed/index.js';
import { CliUsageError, cliConfig, usingDb } from './context.js';

const USAGE =
  'usage: profile-service seed --users N [--batch B] [--concurrency C] [--workers W] [--seed S] [--issuer URI] [--rebuild-indexes]\n' +
  '  --concurrency C    batches loading at once, one connection each (default 2)\n' +
  '  --workers W        generator threads; 0 generates on the main thread (default: cores - 1, at most 4)\n' +
  '  --rebuild-indexes  drop and rebuild the seeded tables\' secondary indexes (a dedicated database only: faster for large N)';

/**
 * `profile-service seed --users N`: synthetic profiles for demos and
 * benchmarks, loaded with COPY (src/seed). Prints the rate. Seeded users
 * have one audit event each (`user.seeded`), so `audit verify` passes; they
 * have no version snapshot and an identity under the issuer
 * urn:profile-service:seed (no token can match it) unless --issuer is given.
 */
export async function seedCommand(args: string[]): Promise<void> {
  const options = parse(args);
  const config = cliConfig();
  await usingDb(config, async ({ url }) => {
    let lastPrinted = 0;
    const result = await seedUsers(url, {
      users: options.users,
      batchSize: options.batch,
      concurrency: options.concurrency,
      workers: options.workers,
      seed: options.seed,
      issuer: options.issuer,
      rebuildIndexes: options.rebuildIndexes,
      onProgress: (loaded) => {
        if (loaded - lastPrinted >= 100_000 || loaded === options.users) {
          lastPrinted = loaded;
          process.stderr.write(`  ${loaded.toLocaleString('en')} users\n`);
        }
      },
    });
    const seconds = result.ms / 1000;
    console.log(
      `Seeded ${result.users.toLocaleString('en')} users in ${seconds.toFixed(1)} s: ${Math.round(result.usersPerSecond).toLocaleString('en')} users/s` +
        ` (${result.workers === 0 ? 'generated on the main thread' : `${result.workers} generator thread(s)`})` +
        (result.indexesRebuilt > 0
          ? ` (load ${(result.loadMs / 1000).toFixed(1)} s = ${Math.round(result.users / (result.loadMs / 1000)).toLocaleString('en')} users/s, then ${result.indexesRebuilt} indexes rebuilt)`
          : '') +
        (result.foreignKeyChecksSkipped ? '' : '; foreign keys were checked row by row (the role may not set session_replication_role)'),
    );
  });
}

function parse(args: string[]) {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        users: { type: 'string' },
        batch: { type: 'string' },
        concurrency: { type: 'string' },
        workers: { type: 'string' },
        seed: { type: 'string' },
        issuer: { type: 'string' },
        'rebuild-indexes': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const int = (name: string, min: number, max: number): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < min || n > max) throw new CliUsageError(`--${name} must be a whole number from ${min} to ${max}\n${USAGE}`);
    return n;
  };
  const users = int('users', 1, 100_000_000);
  if (users === undefined) throw new CliUsageError(USAGE);
  return {
    users,
    batch: int('batch', 1, 1_000_000),
    concurrency: int('concurrency', 1, 16),
    workers: int('workers', 0, 16),
    seed: int('seed', 0, 2 ** 31 - 1),
    issuer: typeof values.issuer === 'string' ? values.issuer : undefined,
    rebuildIndexes: values['rebuild-indexes'] === true,
  };
}
