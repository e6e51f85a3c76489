import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  type ExplicitAuthFlowsType,
  type PasswordPolicyType,
} from '@aws-sdk/client-cognito-identity-provider';
import { awsErrorName, describeAwsError, localCognitoClient, slimAwsError } from './cognito-client.js';
import { LocalPoolError } from './errors.js';
import { type DevLogger, silentLogger } from './logger.js';

export interface EnsureLocalPoolOptions {
  cognitoUrl: string;
  /** JSON file that remembers `{ userPoolId, clientId }` between runs. */
  stateFile: string;
  /** cognito-local's `TokenConfig.IssuerDomain`; defaults to `cognitoUrl` (what startCognitoLocal writes). */
  issuerDomain?: string;
  logger?: DevLogger;
}

export interface LocalPool {
  userPoolId: string;
  clientId: string;
  /** `{IssuerDomain}/{userPoolId}`, exactly the `iss` of the tokens cognito-local signs. */
  issuer: string;
  /** True when this call created the pool or the client. */
  created: boolean;
}

interface PoolState {
  userPoolId: string;
  clientId: string;
}

export const LOCAL_POOL_NAME = 'profile-service-local';
export const LOCAL_CLIENT_NAME = 'profile-service-local-app';

/**
 * Cognito's password rules for the local pool. Stricter than AWS's default
 * minimum of 8. cognito-local stores the policy but does not enforce it:
 * dev-user.ts checks it itself.
 */
export const LOCAL_PASSWORD_POLICY = {
  MinimumLength: 12,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
} as const satisfies PasswordPolicyType;

/**
 * Only the current `ALLOW_*` values: AWS rejects a client that mixes them
 * with the legacy `USER_PASSWORD_AUTH`, and cognito-local ignores the list.
 */
const EXPLICIT_AUTH_FLOWS: ExplicitAuthFlowsType[] = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

/**
 * Returns the local stack's user pool and app client, creating them on the
 * first run and whenever the remembered ones no longer exist in cognito-local
 * (e.g. its `.cognito/db` was wiped). Not safe against two processes running
 * it at once on the same state file.
 */
export async function ensureLocalPool(options: EnsureLocalPoolOptions): Promise<LocalPool> {
  const logger = options.logger ?? silentLogger;
  const issuerDomain = (options.issuerDomain ?? options.cognitoUrl).replace(/\/+$/, '');
  const client = localCognitoClient(options.cognitoUrl);
  try {
    const saved = await readState(options.stateFile);
    let userPoolId = saved && (await poolExists(client, saved.userPoolId)) ? saved.userPoolId : null;
    let clientId = saved && userPoolId && (await clientExists(client, userPoolId, saved.clientId)) ? saved.clientId : null;

    const created = userPoolId === null || clientId === null;
    if (userPoolId === null) {
      if (saved) logger.warn({ userPoolId: saved.userPoolId }, 'local user pool is gone; creating a new one');
      userPoolId = await createPool(client);
    }
    if (clientId === null) clientId = await createClient(client, userPoolId);
    if (created) {
      await writeState(options.stateFile, { userPoolId, clientId });
      logger.info({ userPoolId, clientId }, 'local user pool created');
    }
    return { userPoolId, clientId, issuer: `${issuerDomain}/${userPoolId}`, created };
  } finally {
    client.destroy();
  }
}

async function poolExists(client: CognitoIdentityProviderClient, userPoolId: string): Promise<boolean> {
  try {
    await client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
    return true;
  } catch (err) {
    if (awsErrorName(err) === 'ResourceNotFoundException') return false;
    throw new LocalPoolError(`Could not read user pool ${userPoolId}: ${describeAwsError(err)}`, { cause: slimAwsError(err) });
  }
}

async function clientExists(client: CognitoIdentityProviderClient, userPoolId: string, clientId: string): Promise<boolean> {
  try {
    await client.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }));
    return true;
  } catch (err) {
    if (awsErrorName(err) === 'ResourceNotFoundException') return false;
    throw new LocalPoolError(`Could not read app client ${clientId}: ${describeAwsError(err)}`, { cause: slimAwsError(err) });
  }
}

async function createPool(client: CognitoIdentityProviderClient): Promise<string> {
  try {
    const result = await client.send(
      new CreateUserPoolCommand({
        PoolName: LOCAL_POOL_NAME,
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        Policies: { PasswordPolicy: LOCAL_PASSWORD_POLICY },
        MfaConfiguration: 'OFF',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      }),
    );
    const id = result.UserPool?.Id;
    if (!id) throw new Error('CreateUserPool returned no pool id');
    return id;
  } catch (err) {
    throw new LocalPoolError(`Could not create the local user pool: ${describeAwsError(err)}`, { cause: slimAwsError(err) });
  }
}

async function createClient(client: CognitoIdentityProviderClient, userPoolId: string): Promise<string> {
  try {
    const result = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: LOCAL_CLIENT_NAME,
        GenerateSecret: false,
        ExplicitAuthFlows: EXPLICIT_AUTH_FLOWS,
        // AWS's defaults, spelled out: cognito-local would otherwise sign 24 h ID tokens.
        AccessTokenValidity: 60,
        IdTokenValidity: 60,
        RefreshTokenValidity: 30,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
      }),
    );
    const id = result.UserPoolClient?.ClientId;
    if (!id) throw new Error('CreateUserPoolClient returned no client id');
    return id;
  } catch (err) {
    throw new LocalPoolError(`Could not create the local app client: ${describeAwsError(err)}`, { cause: slimAwsError(err) });
  }
}

async function readState(file: string): Promise<PoolState | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LocalPoolError(`Could not read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (err) {
    throw new LocalPoolError(`${file} is not valid JSON; delete it to create a new local pool`, { cause: err });
  }
  if (!isPoolState(state)) {
    throw new LocalPoolError(`${file} does not hold { userPoolId, clientId }; delete it to create a new local pool`);
  }
  return { userPoolId: state.userPoolId, clientId: state.clientId };
}

function isPoolState(value: unknown): value is PoolState {
  if (value === null || typeof value !== 'object') return false;
  const { userPoolId, clientId } = value as Record<string, unknown>;
  return typeof userPoolId === 'string' && userPoolId !== '' && typeof clientId === 'string' && clientId !== '';
}

/** Write-then-rename, so a crash never leaves half a file behind. */
async function writeState(file: string, state: PoolState): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
    await rename(temp, file);
  } catch (err) {
    throw new LocalPoolError(`Could not write ${file}: ${(err as Error).message}`, { cause: err });
  }
}
