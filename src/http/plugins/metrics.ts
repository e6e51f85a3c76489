import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  usersProvisioned: Counter<'source'>;
  erasures: Counter<'source'>;
}

/** One registry per app, so that several apps (tests) never share counters. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const usersProvisioned = new Counter({
    name: 'profile_users_provisioned_total',
    help: 'Users created, by the path that created them',
    labelNames: ['source'],
    registers: [registry],
  });
  const erasures = new Counter({
    name: 'profile_erasures_total',
    help: 'Users erased, by the path that asked',
    labelNames: ['source'],
    registers: [registry],
  });
  return { registry, usersProvisioned, erasures };
}

export const metricsPlugin = fp(async (app: FastifyInstance, options: { metrics: Metrics }) => {
  const { registry } = options.metrics;
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route template, never the raw URL: ids and query strings would
    // explode the label set and can carry personal data.
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
});
