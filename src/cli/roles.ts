import { parseArgs } from 'node:util';
import { grantRoleToUser, listRoles, userIdByEmail } from '../access/index.js';
import { CliUsageError, cliConfig, usingDb } from './context.js';

const USAGE = 'usage: profile-service roles grant (--email <email> | --user <id>) --role <role>\n       profile-service roles list [--json]';

/** `roles grant …` bootstraps the first admin; `roles list` shows roles, permissions and member counts. */
export async function rolesCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, user: { type: 'string' }, role: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (action === 'list') {
    await usingDb(cliConfig(), async ({ db }) => {
      const roles = await listRoles(db);
      if (values.json) return console.log(JSON.stringify(roles, null, 2));
      for (const r of roles) {
        console.log(`${r.name.padEnd(16)} ${String(r.members).padStart(8)} members  ${r.permissions.join(' ') || '(no admin permissions)'}`);
      }
    });
    return;
  }
  if (action !== 'grant' || values.role === undefined || (values.email === undefined) === (values.user === undefined)) {
    throw new CliUsageError(USAGE);
  }
  const role = values.role;
  await usingDb(cliConfig(), async ({ db }) => {
    const userId = values.user ?? (await userIdByEmail(db, values.email!));
    const result = await grantRoleToUser(db, userId, role, { type: 'system', id: 'cli' }, { source: 'cli' });
    console.log(result.changed ? `Granted ${role} to user ${userId} (now version ${result.version}).` : `User ${userId} already has ${role}.`);
  });
}
