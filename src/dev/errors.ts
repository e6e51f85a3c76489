import { ProfileServiceError } from '../errors.js';

/** cognito-local did not come up (exited, timed out, port taken). `outputTail` holds its last lines. */
export class CognitoLocalStartError extends ProfileServiceError {
  readonly outputTail: readonly string[];

  constructor(message: string, outputTail: readonly string[] = [], options?: { cause?: unknown }) {
    const tail = outputTail.length > 0 ? `\n--- last lines of cognito-local output ---\n${outputTail.join('\n')}` : '';
    super('ERR_COGNITO_LOCAL_START', `${message}${tail}`, options);
    this.outputTail = outputTail;
  }
}

/** The local user pool could not be created, read or recorded. */
export class LocalPoolError extends ProfileServiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_LOCAL_POOL', message, options);
  }
}

export type DevUserErrorCode =
  | 'ERR_DEV_USER_EXISTS'
  | 'ERR_DEV_USER_WEAK_PASSWORD'
  | 'ERR_DEV_USER_LOGIN'
  | 'ERR_DEV_USER';

/** Creating or logging in the development user failed. Never carries a password or a token. */
export class DevUserError extends ProfileServiceError {
  constructor(code: DevUserErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
