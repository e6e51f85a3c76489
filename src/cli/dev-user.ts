import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createDevUser } from '../dev/dev-user.js';
import { stackStateFile, type StackState } from '../dev/stack.js';
import { CliUsageError, cliConfig } from './context.js';

/**
 * `profile-service dev:user <email> [--password P] [--json]`: against the
 * running local stack, sign up, confirm and log in a user; print the tokens.
 */
export async function devUserCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { password: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const email = positionals[0];
  if (email === undefined || positionals.length > 1) throw new CliUsageError('usage: profile-service dev:user <email> [--password P] [--json]');

  const config = cliConfig();
  let state: StackState;
  try {
    state = JSON.parse(await readFile(stackStateFile(config.dataDir), 'utf8')) as StackState;
  } catch {
    state = { pid: 0 } as StackState;
  }
  if (!isAlive(state.pid)) {
    throw new CliUsageError(`The local stack is not running (see ${stackStateFile(config.dataDir)}). Start it with: npm start`);
  }

  const user = await createDevUser({
    cognitoUrl: state.cognitoUrl,
    userPoolId: state.userPoolId,
    clientId: state.clientId,
    email,
    ...(values.password === undefined ? {} : { password: values.password }),
  });
  if (values.json) {
    console.log(JSON.stringify({ ...user, apiUrl: state.apiUrl }, null, 2));
    return;
  }
  console.log(
    [
      `${user.created ? 'Created' : 'Logged in'} ${user.email} (sub ${user.sub})${user.created ? `, password: ${user.password}` : ''}`,
      '',
      `ID token (expires in ${user.expiresIn} s):`,
      user.idToken,
      '',
      'Access token:',
      user.accessToken,
      '',
      'Try it:',
      `  export TOKEN='${user.idToken}'`,
      `  curl -H "Authorization: Bearer $TOKEN" ${state.apiUrl}/v1/me`,
    ].join('\n'),
  );
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
