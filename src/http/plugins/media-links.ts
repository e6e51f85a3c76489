import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { withDownloadUrls, type MediaContext } from '../../media/index.js';

/**
 * Adds short-lived download URLs to the photo and resume of every profile
 * document a route in this scope returns (any route whose 200 response is
 * the `ProfileDocument` schema: GET/PATCH /v1/me, versions/{n}, the admin
 * routes). Done here, at serving time, because the document is versioned and
 * snapshotted and a URL would be stale within minutes; the routes and the
 * profile service stay unaware of S3.
 */
export const mediaLinksPlugin = fp(
  async (app: FastifyInstance, { media }: { media: MediaContext }) => {
    app.addHook('preSerialization', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (reply.statusCode !== 200 || !servesProfileDocument(request) || !isDocument(payload)) return payload;
      const served = await withDownloadUrls(media, payload);
      // A presigned URL is a bearer credential for the object: keep it out of shared caches.
      if (served !== payload) reply.header('Cache-Control', 'private, no-store');
      return served;
    });
  },
  { name: 'media-links', encapsulate: false },
);

function servesProfileDocument(request: FastifyRequest): boolean {
  const response = request.routeOptions.schema?.response as Record<string, { $id?: string } | undefined> | undefined;
  return response?.[200]?.$id === 'ProfileDocument';
}

function isDocument(payload: unknown): payload is { id: string } {
  return typeof payload === 'object' && payload !== null && typeof (payload as { id?: unknown }).id === 'string';
}
