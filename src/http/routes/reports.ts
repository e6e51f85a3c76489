import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { summaryReport } from '../../admin/index.js';
import type { GroupRole } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { accessControl } from '../access.js';
import { SummaryReportSchema } from '../admin-schemas.js';
import { problemResponses } from '../problem.js';

export interface ReportsRoutesOptions {
  db: Db;
  /** The read replica (DATABASE_READ_URL); the primary when absent. */
  readDb?: Db;
  jitProvisioning: boolean;
  groupRoles?: readonly GroupRole[];
}

/** `GET /v1/reports/summary`; register inside the `/v1` scope. */
export const reportsRoutes: FastifyPluginAsyncTypebox<ReportsRoutesOptions> = async (app, options) => {
  const access = accessControl(options);
  const readDb = options.readDb ?? options.db;

  app.get(
    '/reports/summary',
    {
      preValidation: access.requires('reports:read'),
      schema: {
        summary: 'Totals, sign-ups per day (30 days), profile completeness, open to work, top skills and countries',
        description: 'Computed on request from the read replica when there is one; erased users are not counted. Requires `reports:read`.',
        tags: ['administration'],
        security: [{ bearerAuth: [] }],
        response: { 200: SummaryReportSchema, ...problemResponses(401, 403, 503) },
      },
    },
    async (_request, reply) => {
      reply.header('Cache-Control', 'no-store');
      return summaryReport(readDb);
    },
  );
};
