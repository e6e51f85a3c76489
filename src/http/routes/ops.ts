import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { migrationsCurrent, type Db } from '../../db/index.js';
import { sendProblem } from '../plugins/errors.js';
import { problem, problemResponses } from '../problem.js';

const Status = Type.Object({ status: Type.String() });

export const opsRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/healthz',
    { schema: { summary: 'The process is alive', tags: ['operations'], response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'The database is reachable and its migrations are current',
        tags: ['operations'],
        response: { 200: Status, ...problemResponses(503) },
      },
    },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(db);
        if (await migrationsCurrent(db)) return { status: 'ready' };
        return sendProblem(reply, problem(503, 'not-ready', 'Service Unavailable', 'Database migrations are pending'));
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return sendProblem(reply, problem(503, 'not-ready', 'Service Unavailable', 'The database is unreachable'));
      }
    },
  );
};
