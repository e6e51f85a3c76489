export * from './types.js';
export { appendAuditEvent, listAuditEvents } from './repository.js';
export { diffDocuments } from './diff.js';
