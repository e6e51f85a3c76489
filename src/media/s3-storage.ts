import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Config } from '../config/index.js';
import { StorageUnavailableError } from './errors.js';
import type { MediaStorage, ObjectHead, PresignedRequest, PresignedUrl, StoredObject } from './storage.js';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** Only for S3-compatible servers (the local stack's s3rver); unset for AWS. */
  endpoint?: string | null;
  forcePathStyle?: boolean;
  /** `AES256`: SSE-S3 is required by every upload URL's signature. */
  serverSideEncryption: 'AES256' | null;
  /** Static credentials (the local stack); unset: the AWS SDK's default chain (production). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Signing time; injectable so tests can check expiry exactly. */
  clock?: () => Date;
}

export interface S3Storage extends MediaStorage {
  readonly client: S3Client;
  close(): void;
}

/** Headers S3 signs into an upload URL: the client must send them with exactly these values. */
const SIGNED_UPLOAD_HEADERS = new Set(['content-type', 'content-length']);

export function createS3Storage(options: S3StorageOptions): S3Storage {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // The SDK's default would add a CRC32 of the *empty* body to a presigned
    // PUT, which no real upload matches; S3 checks the signed length instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Fail fast: a request waiting on S3 holds an API worker.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
    maxAttempts: 2,
  });
  const { bucket } = options;
  const clock = options.clock ?? (() => new Date());

  const presign = async (command: PutObjectCommand | GetObjectCommand, expiresInSeconds: number, signableHeaders?: Set<string>): Promise<PresignedUrl> => {
    const signingDate = clock();
    const url = await getSignedUrl(client, command, { expiresIn: expiresInSeconds, signingDate, ...(signableHeaders ? { signableHeaders } : {}) });
    return { url, expiresAt: new Date(signingDate.getTime() + expiresInSeconds * 1000) };
  };

  return {
    client,
    close: () => client.destroy(),

    async presignUpload({ key, contentType, sizeBytes, expiresInSeconds }): Promise<PresignedRequest> {
      const sse = options.serverSideEncryption;
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: contentType,
        ContentLength: sizeBytes,
        ...(sse ? { ServerSideEncryption: sse } : {}),
      });
      // The presigner leaves Content-Type unsigned unless told otherwise; the
      // SSE header stays a header (not a query parameter), so it is signed too.
      const signed = await presign(command, expiresInSeconds, SIGNED_UPLOAD_HEADERS);
      const headers: Record<string, string> = { 'Content-Type': contentType };
      if (sse) headers['x-amz-server-side-encryption'] = sse;
      return { ...signed, method: 'PUT', headers };
    },

    async presignDownload({ key, expiresInSeconds, contentDisposition }) {
      return presign(new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: contentDisposition }), expiresInSeconds);
    },

    async head(key): Promise<ObjectHead | null> {
      try {
        const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { sizeBytes: result.ContentLength ?? 0, contentType: result.ContentType ?? null };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw storageError(error);
      }
    },

    async readStart(key, bytes) {
      try {
        const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${bytes - 1}` }));
        const body = (await result.Body?.transformToByteArray()) ?? new Uint8Array();
        // A server that ignores Range sends everything: keep what was asked for.
        return body.subarray(0, bytes);
      } catch (error) {
        if (isNotFound(error) || statusOf(error) === 416) return new Uint8Array();
        throw storageError(error);
      }
    },

    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        if (!isNotFound(error)) throw storageError(error);
      }
    },

    async *list(prefix): AsyncIterable<StoredObject[]> {
      try {
        for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: bucket, Prefix: prefix })) {
          yield (page.Contents ?? []).flatMap((o) =>
            o.Key === undefined ? [] : [{ key: o.Key, sizeBytes: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) }],
          );
        }
      } catch (error) {
        throw storageError(error);
      }
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404 || (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey'));
}

/**
 * Outages (no connection, timeouts, 5xx, throttling) become
 * StorageUnavailableError (503, retry later); anything else, such as
 * AccessDenied from a misconfigured bucket policy, stays as it is: a 500 that
 * gets logged, because retrying will not help.
 */
function storageError(error: unknown): unknown {
  const status = statusOf(error);
  if (status === undefined || status >= 500 || status === 429 || status === 408) {
    if (status !== undefined || isNetworkError(error)) return new StorageUnavailableError({ cause: error });
  }
  if (error instanceof S3ServiceException && (error.name === 'SlowDown' || error.$retryable?.throttling === true)) {
    return new StorageUnavailableError({ cause: error });
  }
  return error;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return true;
  }
  return false;
}

/** The production store from the configuration (credentials from the AWS SDK's default chain), or null without a bucket. */
export function s3StorageFromConfig(s3: Config['s3']): S3Storage | null {
  if (s3.bucket === null || s3.region === null) return null;
  return createS3Storage({
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    serverSideEncryption: s3.serverSideEncryption,
  });
}
