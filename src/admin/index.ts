export { searchUsers, queryWords, SEARCH_MAX_LIMIT, MAX_QUERY_WORDS, MAX_SIMILAR_WORDS, type UserSearchQuery, type UserSearchPage, type UserSummary } from './search.js';
export { summaryReport, REPORT_DAYS, REPORT_TOP, type SummaryReport } from './reports.js';
export { queryAuditEvents, type AuditQuery, type AuditQueryItem, type AuditQueryPage } from './audit-query.js';
export { getUserDocument } from './users.js';
export { encodeCursor, decodeCursor, type KeysetPosition } from './cursor.js';
