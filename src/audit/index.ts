export * from './types.js';
export { appendAuditEvent, listAuditEvents, redactUserAuditValues, AUDIT_VALUES_REDACTED } from './repository.js';
export { verifyAuditChains, type VerifyOptions } from './verify.js';
export { diffDocuments } from './diff.js';
export { canonicalize } from './canonical.js';
export {
  eventHash,
  valueDigest,
  chainTimestamp,
  newAuditKey,
  CURRENT_CHAIN_FORMAT,
  GENESIS_PREV_HASH,
  AUDIT_KEY_BYTES,
  type ChainFormat,
  type ChainedEventFields,
  type DigestedChange,
} from './chain.js';
export { AuditFormatError } from './errors.js';
