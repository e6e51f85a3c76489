import type { JwksFetcher } from './types.js';
import { JwksUnavailableError } from './errors.js';

const DEFAULT_TIMEOUT_MS = 3000;

/**
 * A fetcher on the global `fetch`, used for non-AWS issuers because
 * aws-jwt-verify's default fetcher speaks https only and the local emulator
 * serves its JWKS over http (allowed only with AUTH_ALLOW_INSECURE_ISSUER).
 */
export function httpJwksFetcher(timeoutMs = DEFAULT_TIMEOUT_MS): JwksFetcher {
  return {
    async fetch(uri: string): Promise<ArrayBuffer> {
      const response = await fetch(uri, {
        headers: { accept: 'application/json' },
        // A redirect could silently move us to another host or down to http.
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`JWKS endpoint answered HTTP ${response.status}`);
      }
      return response.arrayBuffer();
    },
  };
}

/** Turns every download failure into JwksUnavailableError, so it can never pass for a bad token. */
export function guardFetcher(inner: JwksFetcher): JwksFetcher {
  return {
    async fetch(uri, requestOptions, data) {
      try {
        return await inner.fetch(uri, requestOptions, data);
      } catch (error) {
        throw error instanceof JwksUnavailableError ? error : new JwksUnavailableError({ cause: error });
      }
    },
  };
}
