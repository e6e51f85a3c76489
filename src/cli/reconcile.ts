import { parseArgs } from 'node:util';
import { erasureDepsFor } from '../erasure/wiring.js';
import { eraseUser } from '../erasure/index.js';
import { CognitoUserDirectory } from '../sync/directory.js';
import { reconcile, type ReconcileReport } from '../sync/reconcile.js';
import { CliUsageError, cliConfig, usingDb } from './context.js';

const USAGE = 'usage: profile-service reconcile [--dry-run] [--fix] [--rate N] [--max-erasures N] [--force] [--json]';

/**
 * `reconcile`: compare the user pool with the database; report, and repair
 * with `--fix`. Exits non-zero when differences remain unrepaired, so a
 * scheduled report-only run can alert.
 */
export async function reconcileCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'dry-run': { type: 'boolean', default: false },
      fix: { type: 'boolean', default: false },
      rate: { type: 'string', default: '25' },
      'max-erasures': { type: 'string', default: '100' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const rate = Number(values.rate);
  const maxErasures = Number(values['max-erasures']);
  if (!(rate > 0 && rate <= 30)) throw new CliUsageError(`--rate must be above 0 and at most 30 (Cognito's UserList quota)\n${USAGE}`);
  if (!Number.isInteger(maxErasures) || maxErasures < 0) throw new CliUsageError(`--max-erasures must be a whole number\n${USAGE}`);

  const config = cliConfig({ require: ['issuer'] });
  const auth = config.auth!;
  const directory = new CognitoUserDirectory(auth.userPoolId, { region: auth.region, endpoint: config.cognito.endpoint });
  const report = await usingDb(config, async ({ db }) => {
    const deps = erasureDepsFor(config);
    return reconcile(db, directory, {
      issuer: auth.issuer,
      fix: values.fix,
      dryRun: values['dry-run'],
      rate,
      maxErasures,
      force: values.force,
      erase: async (userId) => {
        await eraseUser(db, userId, deps, { actor: { type: 'system', id: 'reconcile' }, source: 'reconcile' });
      },
    });
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : summary(report));
  const unrepaired = [...report.missingInDatabase, ...report.goneFromDirectory, ...report.drifted].some((d) => !d.fixed);
  if (unrepaired) process.exitCode = 1;
}

function summary(report: ReconcileReport): string {
  const fixed = (items: { fixed: boolean }[]) => items.filter((i) => i.fixed).length;
  return [
    `Reconcile (${report.mode}) of ${report.issuer}`,
    `  pool users ${report.directoryUsers} in ${report.pages} pages (throttled ${report.throttled} times); database identities ${report.databaseIdentities}`,
    `  missing in database   ${report.missingInDatabase.length} (provisioned ${fixed(report.missingInDatabase)})`,
    `  gone from the pool    ${report.goneFromDirectory.length} (erased ${fixed(report.goneFromDirectory)})`,
    `  drifted attributes    ${report.drifted.length} (refreshed ${fixed(report.drifted)})`,
    `  erased, still in pool ${report.erasedButInDirectory.length} (reported only: erasure is final)`,
    ...report.goneFromDirectory.slice(0, 20).map((g) => `    gone: user ${g.userId}`),
  ].join('\n');
}
