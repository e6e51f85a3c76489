import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { resolvePrincipal } from '../../access/index.js';
import type { Db } from '../../db/index.js';
import {
  completeUpload,
  deleteMediaItem,
  downloadUrlFor,
  getMediaItem,
  listMediaItems,
  MEDIA_KINDS,
  MediaNotConfiguredError,
  requestUpload,
  type MediaChange,
  type MediaContext,
  type MediaItem,
  type PresignedRequest,
} from '../../media/index.js';
import { callerOf } from '../plugins/auth.js';
import { problemResponses } from '../problem.js';

export interface MediaRoutesOptions {
  db: Db;
  jitProvisioning: boolean;
  /** null when no bucket is configured: every media route answers 501. */
  media: MediaContext | null;
}

const security = [{ bearerAuth: [] }];
const tags = ['media'];

const Enum = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const UploadBody = Type.Object(
  {
    kind: Enum(MEDIA_KINDS),
    contentType: Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'photo: image/jpeg, image/png, image/webp; resume and document: application/pdf, DOCX, text/plain',
    }),
    sizeBytes: Type.Integer({ minimum: 1, description: 'the exact length of the file; the upload URL accepts only this length' }),
    fileName: Type.String({ minLength: 1, maxLength: 255, description: 'for display and downloads only; never part of the storage key' }),
  },
  { additionalProperties: false },
);

const MEDIA_VIEW = {
  id: Type.String({ format: 'uuid' }),
  kind: Enum(MEDIA_KINDS),
  status: Enum(['pending', 'ready'] as const),
  contentType: Type.String(),
  sizeBytes: Type.Integer(),
  fileName: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  completedAt: Nullable(Type.String({ format: 'date-time' })),
  uploadExpiresAt: Nullable(Type.String({ format: 'date-time', description: 'pending items: when the upload URL stops working' })),
  downloadUrl: Type.Optional(Type.String({ description: 'ready items: a short-lived presigned GET' })),
  downloadUrlExpiresAt: Type.Optional(Type.String({ format: 'date-time' })),
};
const MediaView = Type.Object(MEDIA_VIEW);

const UploadResponse = Type.Object({
  ...MEDIA_VIEW,
  upload: Type.Object({
    url: Type.String({ description: 'presigned PUT; content type, length and expiry are part of its signature' }),
    method: Type.Literal('PUT'),
    headers: Type.Record(Type.String(), Type.String(), { description: 'send exactly these headers with the PUT' }),
    expiresAt: Type.String({ format: 'date-time' }),
  }),
});

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ListQuery = Type.Object(
  { kind: Type.Optional(Enum(MEDIA_KINDS)), status: Type.Optional(Enum(['pending', 'ready'] as const)) },
  { additionalProperties: false },
);

export const mediaRoutes: FastifyPluginAsyncTypebox<MediaRoutesOptions> = async (app, { db, jitProvisioning, media }) => {
  const context = (): MediaContext => {
    if (media === null) throw new MediaNotConfiguredError();
    return media;
  };
  const callerId = async (request: FastifyRequest): Promise<string> =>
    (await resolvePrincipal(db, callerOf(request), { jitProvisioning, requestId: request.id })).userId;
  const by = (userId: string, request: FastifyRequest): MediaChange => ({ actor: { type: 'user', id: userId }, source: 'api', requestId: request.id });
  const view = async (item: MediaItem) => toView(item, item.status === 'ready' ? await downloadUrlFor(context(), item) : null);

  // Presigned URLs are bearer credentials for an object: never cached by anyone else.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Cache-Control', 'private, no-store');
  });

  app.post(
    '/me/media',
    {
      schema: {
        summary: 'Start an upload: a pending item and a presigned PUT',
        description:
          'PUT the file to `upload.url` with `upload.headers` (and exactly `sizeBytes` bytes) before `upload.expiresAt`, then call `complete`. ' +
          'Refused with 422 for a type the kind does not allow or a size over its limit, 409 when the per-user limits are reached.',
        tags,
        security,
        body: UploadBody,
        response: { 201: UploadResponse, ...problemResponses(400, 401, 404, 409, 413, 415, 422, 501, 503) },
      },
    },
    async (request, reply) => {
      const userId = await callerId(request);
      const { item, upload } = await requestUpload(context(), userId, request.body);
      reply.code(201).header('Location', `/v1/me/media/${item.id}`);
      return { ...toView(item, null), upload: uploadView(upload) };
    },
  );

  app.post(
    '/me/media/:id/complete',
    {
      schema: {
        summary: 'Finish an upload: check the object, mark the item ready',
        description:
          'Checks that the object exists with the declared size and content type and that its first bytes are of that type. ' +
          '409 when nothing was uploaded yet; 422 (errors on `/sizeBytes`, `/contentType`) when the object is not what was declared. ' +
          'Completing a ready item again returns it unchanged.',
        tags,
        security,
        params: IdParams,
        response: { 200: MediaView, ...problemResponses(400, 401, 404, 409, 422, 501, 503) },
      },
    },
    async (request) => {
      const userId = await callerId(request);
      return view(await completeUpload(context(), userId, request.params.id, by(userId, request)));
    },
  );

  app.get(
    '/me/media',
    {
      schema: {
        summary: "The caller's media items, newest first",
        description: 'Ready items carry a short-lived `downloadUrl`. The per-user limits bound the list, so it is not paginated.',
        tags,
        security,
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(MediaView) }), ...problemResponses(400, 401, 404, 501, 503) },
      },
    },
    async (request) => {
      const userId = await callerId(request);
      const items = await listMediaItems(context(), userId, request.query);
      return { items: await Promise.all(items.map(view)) };
    },
  );

  app.get(
    '/me/media/:id',
    {
      schema: {
        summary: 'One media item',
        description: 'A ready item carries a short-lived `downloadUrl`. Another user\'s item is a 404, like one that does not exist.',
        tags,
        security,
        params: IdParams,
        response: { 200: MediaView, ...problemResponses(400, 401, 404, 501, 503) },
      },
    },
    async (request) => {
      const userId = await callerId(request);
      return view(await getMediaItem(context(), userId, request.params.id));
    },
  );

  app.delete(
    '/me/media/:id',
    {
      schema: {
        summary: 'Delete a media item and its object',
        description: 'A photo or resume linked from the profile is unlinked in the same versioned, audited change.',
        tags,
        security,
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 404, 501, 503) },
      },
    },
    async (request, reply) => {
      const userId = await callerId(request);
      const result = await deleteMediaItem(context(), userId, request.params.id, by(userId, request));
      if (!result.objectDeleted) request.log.warn({ err: result.error, mediaId: request.params.id }, 'media object not deleted; media cleanup will remove it');
      return reply.code(204).send(null);
    },
  );
};

function toView(item: MediaItem, download: { url: string; expiresAt: Date } | null) {
  return {
    id: item.id,
    kind: item.kind,
    status: item.status,
    contentType: item.contentType,
    sizeBytes: item.sizeBytes,
    fileName: item.fileName,
    createdAt: item.createdAt.toISOString(),
    completedAt: item.completedAt?.toISOString() ?? null,
    uploadExpiresAt: item.status === 'pending' ? item.uploadExpiresAt.toISOString() : null,
    ...(download ? { downloadUrl: download.url, downloadUrlExpiresAt: download.expiresAt.toISOString() } : {}),
  };
}

function uploadView(upload: PresignedRequest) {
  return { url: upload.url, method: upload.method, headers: upload.headers, expiresAt: upload.expiresAt.toISOString() };
}
