import { parseArgs } from 'node:util';
import { verifyAuditChains, type AuditVerification } from '../audit/index.js';
import { CliUsageError, cliConfig, usingDb } from './context.js';

const USAGE = 'usage: profile-service audit verify [--user <id>] [--json]';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `profile-service audit verify [--user <id>] [--json]`: recomputes the
 * audit hash chains (all users, or one) and prints a summary and every
 * problem. Any problem is a failure: the command exits non-zero, also with
 * `--json` (the report on stdout, the failure on stderr).
 */
export async function auditCommand(args: string[]): Promise<void> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'verify') throw new CliUsageError(subcommand === undefined ? USAGE : `unknown audit command "${subcommand}"\n${USAGE}`);
  const options = parseVerifyArgs(rest);

  const config = cliConfig();
  const report = await usingDb(config, ({ db }) => verifyAuditChains(db, options.userId === undefined ? {} : { userId: options.userId }));

  console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
  if (report.problems.length > 0) {
    throw new CliUsageError(`audit verify: ${report.problems.length} problem(s) found`);
  }
}

function parseVerifyArgs(args: string[]): { userId?: string; json: boolean } {
  let values: { user?: string | undefined; json?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args,
      options: { user: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.user !== undefined && !UUID.test(values.user)) throw new CliUsageError(`--user must be a user id (a UUID)\n${USAGE}`);
  return values.user === undefined ? { json: values.json === true } : { userId: values.user, json: values.json === true };
}

function formatReport(report: AuditVerification): string {
  const summary = `Checked ${report.eventsChecked} audit event(s) of ${report.usersChecked} user(s): ${
    report.problems.length === 0 ? 'every chain verifies.' : `${report.problems.length} problem(s).`
  }`;
  const lines = report.problems.map(
    (p) => `  user ${p.userId} ${p.seq === null ? 'chain' : `seq ${p.seq}`}: ${p.reason} — ${p.detail}`,
  );
  return [summary, ...lines].join('\n');
}
