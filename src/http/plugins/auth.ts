import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { bearerToken, type TokenVerifier, type VerifiedToken } from '../../identity/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every `/v1` route; absent elsewhere. */
    caller: VerifiedToken | null;
  }
}

/**
 * Adds an `onRequest` hook that verifies the bearer token before anything
 * else runs (no body is parsed for an unauthenticated caller). Register it
 * inside the scope that needs it.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, options: { verifier: TokenVerifier }) => {
    app.decorateRequest('caller', null);
    app.addHook('onRequest', async (request: FastifyRequest) => {
      request.caller = await options.verifier.verify(bearerToken(request.headers.authorization));
    });
  },
  { name: 'auth', encapsulate: false },
);

/** The verified caller; only call it on routes behind the auth hook. */
export function callerOf(request: FastifyRequest): VerifiedToken {
  if (request.caller === null) throw new Error('route is not behind the auth hook');
  return request.caller;
}
