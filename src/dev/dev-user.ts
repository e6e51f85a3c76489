import { randomInt } from 'node:crypto';
import {
  AdminConfirmSignUpCommand,
  AdminUpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { awsErrorName, describeAwsError, localCognitoClient, slimAwsError } from './cognito-client.js';
import { DevUserError } from './errors.js';
import { decodeJwtPayloadUnverified } from './jwt.js';
import { LOCAL_PASSWORD_POLICY } from './local-pool.js';
import { type DevLogger, silentLogger } from './logger.js';

export interface CreateDevUserOptions {
  cognitoUrl: string;
  userPoolId: string;
  clientId: string;
  email: string;
  /** Omitted: a random password that satisfies the local policy is generated (new users only). */
  password?: string;
  /**
   * Set `email_verified=true` before confirming, as a real ConfirmSignUp with
   * an e-mailed code would. Default true.
   */
  verifyEmail?: boolean;
  logger?: DevLogger;
}

export interface DevUser {
  email: string;
  password: string;
  sub: string;
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token is valid for. */
  expiresIn: number;
  /** False when the user already existed and was only logged in. */
  created: boolean;
}

/**
 * Signs a user up in cognito-local, confirms them (AdminConfirmSignUp, which
 * fires the Post Confirmation trigger with `PostConfirmation_ConfirmSignUp`)
 * and logs them in with USER_PASSWORD_AUTH. An existing user is only logged
 * in, which needs their password.
 */
export async function createDevUser(options: CreateDevUserOptions): Promise<DevUser> {
  const logger = options.logger ?? silentLogger;
  const { email, userPoolId, clientId } = options;
  const client = localCognitoClient(options.cognitoUrl);
  try {
    const password = options.password ?? generatePassword();
    // cognito-local stores the pool's policy but never checks it; AWS would.
    const violations = passwordPolicyViolations(password);
    if (violations.length > 0) {
      throw new DevUserError('ERR_DEV_USER_WEAK_PASSWORD', `The password needs ${violations.join(', ')}`);
    }
    const signedUp = await signUp(client, clientId, email, password, options.password !== undefined);
    if (signedUp) {
      if (options.verifyEmail ?? true) await markEmailVerified(client, userPoolId, email);
      await confirm(client, userPoolId, email);
      logger.info({ userPoolId, sub: signedUp.sub }, 'dev user created');
    }

    const tokens = await logIn(client, clientId, userPoolId, email, password);
    const idClaims = decodeJwtPayloadUnverified(tokens.idToken);
    const sub = typeof idClaims.sub === 'string' ? idClaims.sub : signedUp?.sub;
    if (sub === undefined) throw new DevUserError('ERR_DEV_USER', 'The ID token carries no sub');
    return { email, password, sub, ...tokens, created: signedUp !== null };
  } finally {
    client.destroy();
  }
}

/** Null when the user already exists (and a password was given to log in with). */
async function signUp(
  client: CognitoIdentityProviderClient,
  clientId: string,
  email: string,
  password: string,
  passwordGiven: boolean,
): Promise<{ sub: string } | null> {
  try {
    const result = await client.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: email,
        Password: password,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    if (!result.UserSub) throw new DevUserError('ERR_DEV_USER', 'SignUp returned no UserSub');
    return { sub: result.UserSub };
  } catch (err) {
    if (awsErrorName(err) !== 'UsernameExistsException') {
      if (err instanceof DevUserError) throw err;
      throw new DevUserError('ERR_DEV_USER', `Could not sign up ${email}: ${describeAwsError(err)}`, { cause: slimAwsError(err) });
    }
    if (!passwordGiven) {
      throw new DevUserError(
        'ERR_DEV_USER_EXISTS',
        `${email} already exists; give its password to log in, or choose another e-mail address`,
      );
    }
    return null;
  }
}

async function markEmailVerified(client: CognitoIdentityProviderClient, userPoolId: string, email: string): Promise<void> {
  try {
    await client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: userPoolId,
        Username: email,
        // cognito-local (unlike AWS) refuses email_verified without email in the same call.
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
  } catch (err) {
    throw new DevUserError('ERR_DEV_USER', `Could not mark ${email} as verified: ${describeAwsError(err)}`, { cause: slimAwsError(err) });
  }
}

async function confirm(client: CognitoIdentityProviderClient, userPoolId: string, email: string): Promise<void> {
  try {
    await client.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: email }));
  } catch (err) {
    throw new DevUserError('ERR_DEV_USER', `Could not confirm ${email}: ${describeAwsError(err)}`, { cause: slimAwsError(err) });
  }
}

interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

async function logIn(
  client: CognitoIdentityProviderClient,
  clientId: string,
  userPoolId: string,
  email: string,
  password: string,
): Promise<Tokens> {
  const initiate = () =>
    client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
  let result;
  try {
    result = await initiate();
  } catch (err) {
    // An earlier run died between SignUp and confirm. cognito-local checks the
    // password before the status, so the password is known to be right here.
    if (awsErrorName(err) !== 'UserNotConfirmedException') throw loginError(email, err);
    await confirm(client, userPoolId, email);
    try {
      result = await initiate();
    } catch (retryErr) {
      throw loginError(email, retryErr);
    }
  }

  const auth = result.AuthenticationResult;
  if (result.ChallengeName || !auth?.IdToken || !auth.AccessToken || !auth.RefreshToken) {
    throw new DevUserError(
      'ERR_DEV_USER_LOGIN',
      `Logging in ${email} did not return tokens${result.ChallengeName ? ` (challenge ${result.ChallengeName})` : ''}`,
    );
  }
  return {
    idToken: auth.IdToken,
    accessToken: auth.AccessToken,
    refreshToken: auth.RefreshToken,
    // cognito-local leaves ExpiresIn out; the token itself knows.
    expiresIn: auth.ExpiresIn ?? lifetimeSeconds(auth.AccessToken),
  };
}

function loginError(email: string, err: unknown): DevUserError {
  const name = awsErrorName(err);
  const hint = name === 'NotAuthorizedException' || name === 'InvalidPasswordException' ? ' (wrong password?)' : '';
  return new DevUserError('ERR_DEV_USER_LOGIN', `Could not log in ${email}${hint}: ${describeAwsError(err)}`, { cause: slimAwsError(err) });
}

function lifetimeSeconds(token: string): number {
  const { exp, iat } = decodeJwtPayloadUnverified(token);
  if (typeof exp !== 'number' || typeof iat !== 'number') {
    throw new DevUserError('ERR_DEV_USER_LOGIN', 'The access token carries no exp/iat');
  }
  return exp - iat;
}

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
/** A subset of Cognito's allowed special characters that needs no quoting in a shell. */
const SYMBOLS = '%+-.=@^_~';
const GENERATED_LENGTH = 24;

/** A random password that satisfies LOCAL_PASSWORD_POLICY (and AWS's default policy). */
export function generatePassword(length = GENERATED_LENGTH): string {
  const size = Math.max(length, LOCAL_PASSWORD_POLICY.MinimumLength);
  const all = UPPER + LOWER + DIGITS + SYMBOLS;
  const chars = [UPPER, LOWER, DIGITS, SYMBOLS].map(pick);
  while (chars.length < size) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)] as string;
}

/** The rules of LOCAL_PASSWORD_POLICY that `password` breaks (empty when it complies). */
export function passwordPolicyViolations(password: string): string[] {
  const problems: string[] = [];
  if (password.length < LOCAL_PASSWORD_POLICY.MinimumLength) {
    problems.push(`at least ${LOCAL_PASSWORD_POLICY.MinimumLength} characters`);
  }
  if (!/[A-Z]/.test(password)) problems.push('an upper-case letter');
  if (!/[a-z]/.test(password)) problems.push('a lower-case letter');
  if (!/[0-9]/.test(password)) problems.push('a digit');
  if (!/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/.test(password)) problems.push('a special character');
  return problems;
}
