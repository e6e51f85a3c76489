import { ProfileServiceError } from '../errors.js';

/** A value that cannot enter the audit chain: not plain JSON, or not I-JSON. */
export class AuditFormatError extends ProfileServiceError {
  constructor(message: string) {
    super('ERR_AUDIT_FORMAT', message);
  }
}
