/**
 * One base class for every error the service raises on purpose. `code` is
 * stable and is what callers (and the HTTP problem mapper) branch on; the
 * message is for humans and may change. Domain errors carry no HTTP status.
 */
export class ProfileServiceError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A bad environment: every bad variable is listed in `problems`. */
export class ConfigError extends ProfileServiceError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('ERR_CONFIG', `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/** No bearer token was presented. */
export class MissingTokenError extends ProfileServiceError {
  constructor() {
    super('ERR_MISSING_TOKEN', 'No bearer token was presented');
  }
}

/** A token was presented but is not acceptable; `reason` is for logs, never for clients. */
export class InvalidTokenError extends ProfileServiceError {
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_TOKEN', 'The access token is invalid', options);
    this.reason = reason;
  }
}

export class UserNotFoundError extends ProfileServiceError {
  constructor() {
    super('ERR_USER_NOT_FOUND', 'No such user');
  }
}

/** The user existed but was erased; treated like "not found" by the API. */
export class UserErasedError extends ProfileServiceError {
  constructor() {
    super('ERR_USER_ERASED', 'The user has been erased');
  }
}

/** `If-Match` named a version that is no longer current. */
export class VersionMismatchError extends ProfileServiceError {
  readonly currentVersion: number;

  constructor(currentVersion: number) {
    super('ERR_VERSION_MISMATCH', 'The resource has changed since the given version');
    this.currentVersion = currentVersion;
  }
}

export interface FieldError {
  /** JSON Pointer into the request document, e.g. `/profile/dateOfBirth`. */
  pointer: string;
  message: string;
}

/** Well-formed input that breaks a rule (422). */
export class ValidationError extends ProfileServiceError {
  readonly errors: readonly FieldError[];

  constructor(errors: readonly FieldError[]) {
    super('ERR_VALIDATION', errors.map((e) => `${e.pointer}: ${e.message}`).join('; '));
    this.errors = errors;
  }
}

/** Input that could not be understood at all (400). */
export class MalformedInputError extends ProfileServiceError {
  readonly errors: readonly FieldError[];

  constructor(message: string, errors: readonly FieldError[] = []) {
    super('ERR_MALFORMED_INPUT', message);
    this.errors = errors;
  }
}

/** Provisioning is switched off and the caller has no row yet. */
export class NotProvisionedError extends ProfileServiceError {
  constructor() {
    super('ERR_NOT_PROVISIONED', 'The user has not been provisioned');
  }
}

/** The database could not be reached (connection refused, timeout, shutdown). */
export class DatabaseUnavailableError extends ProfileServiceError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_DATABASE_UNAVAILABLE', 'The database is unavailable', options);
  }
}

/** The request conflicts with the current state (e.g. stored values a new schema would invalidate). */
export class ConflictError extends ProfileServiceError {
  readonly errors: readonly FieldError[];

  constructor(message: string, errors: readonly FieldError[] = []) {
    super('ERR_CONFLICT', message);
    this.errors = errors;
  }
}

/** A conditional request was required (`If-Match`) but none was given (RFC 6585 §3: 428). */
export class PreconditionRequiredError extends ProfileServiceError {
  constructor(message = 'This change requires If-Match with the ETag of the version it is based on') {
    super('ERR_PRECONDITION_REQUIRED', message);
  }
}
