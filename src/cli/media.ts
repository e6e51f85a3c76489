import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Config } from '../config/index.js';
import { LOCAL_S3_REGION, localS3Storage } from '../dev/s3.js';
import { stackStateFile, type StackState } from '../dev/stack.js';
import { cleanupMedia, s3StorageFromConfig, type CleanupReport, type S3Storage } from '../media/index.js';
import { deleteQueuedObjects } from '../erasure/index.js';
import { CliUsageError, cliConfig, usingDb } from './context.js';

const USAGE = 'usage: profile-service media cleanup [--apply] [--json]';

/**
 * `profile-service media cleanup [--apply] [--json]`: pending uploads whose
 * URL expired more than an hour ago, and objects under `media/` that no item
 * references. A dry run that only reports, unless `--apply`. Exits non-zero
 * when something could not be removed.
 */
export async function mediaCommand(args: string[]): Promise<void> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'cleanup') throw new CliUsageError(subcommand === undefined ? USAGE : `unknown media command "${subcommand}"\n${USAGE}`);
  const options = parseCleanupArgs(rest);
  const config = cliConfig();
  const storage = await storageFor(config);
  try {
    const { report, erasureQueue } = await usingDb(config, async ({ db }) => ({
      report: await cleanupMedia(db, storage, { apply: options.apply }),
      // Objects erasure could not delete yet (S3 was down) are retried here.
      erasureQueue: await deleteQueuedObjects(db, options.apply ? { deleteObject: (key) => storage.delete(key) } : null),
    }));
    console.log(options.json ? JSON.stringify({ ...report, erasureQueueRemaining: erasureQueue }, null, 2) : formatReport(report, erasureQueue));
    if (report.failures.length > 0) throw new CliUsageError(`media cleanup: ${report.failures.length} object(s) could not be removed`);
    if (options.apply && erasureQueue > 0) throw new CliUsageError(`media cleanup: ${erasureQueue} erased user object(s) still queued for deletion`);
  } finally {
    storage.close();
  }
}

function parseCleanupArgs(args: string[]): { apply: boolean; json: boolean } {
  try {
    const { values } = parseArgs({
      args,
      options: { apply: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: false,
    });
    return { apply: values.apply === true, json: values.json === true };
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}\n${USAGE}`);
  }
}

/**
 * S3 from the configuration (production: credentials from the AWS SDK's
 * chain). Without S3_BUCKET, the running local stack's s3rver, found the way
 * `dev:user` finds the stack: through DATA_DIR/stack.json.
 */
async function storageFor(config: Config): Promise<S3Storage> {
  const configured = s3StorageFromConfig(config.s3);
  if (configured !== null) return configured;
  const state = await readStackState(config.dataDir);
  if (state === null) {
    throw new CliUsageError('S3_BUCKET and S3_REGION are not set, and no local stack is running in DATA_DIR (npm start)');
  }
  console.error(`Using the local stack's s3rver at ${state.s3Endpoint} (bucket ${state.s3Bucket}).`);
  return localS3Storage({ endpoint: state.s3Endpoint, bucket: state.s3Bucket, region: LOCAL_S3_REGION });
}

async function readStackState(dataDir: string): Promise<StackState | null> {
  try {
    const state = JSON.parse(await readFile(stackStateFile(dataDir), 'utf8')) as Partial<StackState>;
    return typeof state.s3Endpoint === 'string' && typeof state.s3Bucket === 'string' ? (state as StackState) : null;
  } catch {
    return null;
  }
}

function formatReport(report: CleanupReport, erasureQueue: number): string {
  const verb = report.applied ? 'Removed' : 'Would remove';
  const lines = [
    report.applied ? 'media cleanup:' : 'media cleanup (dry run: nothing is removed; add --apply to remove):',
    `  ${verb} ${report.expiredUploads.length} expired pending upload(s) (upload URL expired before ${report.cutoff})`,
    ...report.expiredUploads.map((u) => `    ${u.id}  user ${u.userId}  expired ${u.uploadExpiresAt}${report.applied && !u.removed ? '  (completed meanwhile: kept)' : ''}`),
    `  ${verb} ${report.unreferencedObjects.length} object(s) no media item references`,
    ...report.unreferencedObjects.map((o) => `    ${o.key}  ${o.sizeBytes} bytes  modified ${o.lastModified}${report.applied && !o.removed ? '  (failed)' : ''}`),
  ];
  for (const failure of report.failures) lines.push(`  failed: ${failure.key}: ${failure.error}`);
  lines.push(`  ${erasureQueue} object(s) of erased users ${report.applied ? 'still queued after retrying' : 'queued for deletion (retried with --apply)'}`);
  return lines.join('\n');
}
