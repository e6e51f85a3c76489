import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createS3Storage, type S3Storage } from '../media/index.js';
import { httpUrl } from '../net.js';
import { ProfileServiceError } from '../errors.js';
import { type DevLogger, silentLogger } from './logger.js';

export const DEFAULT_S3_LOCAL_PORT = 4569;
export const LOCAL_S3_BUCKET = 'profile-media';
export const LOCAL_S3_REGION = 'us-east-1';
/**
 * s3rver's built-in account: it refuses any other access key id. It does not
 * check signatures, so these are not secrets, and the URLs it accepts prove
 * nothing about signing (the unit tests check that instead).
 */
export const LOCAL_S3_CREDENTIALS = Object.freeze({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });

/** Browsers on another origin (a web client in development) may PUT and GET directly. */
const LOCAL_CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export interface LocalS3Options {
  /** Where objects are kept (e.g. `DATA_DIR/s3`); they survive restarts. */
  dir: string;
  host: string;
  /** 0: any free port. */
  port: number;
  bucket?: string;
  logger?: DevLogger;
}

export interface LocalS3 {
  /** `http://127.0.0.1:{port}`: what S3_ENDPOINT must be, and where presigned URLs point. */
  endpoint: string;
  port: number;
  bucket: string;
  region: string;
  stop(): Promise<void>;
}

export class LocalS3StartError extends ProfileServiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_LOCAL_S3_START', message, options);
  }
}

/**
 * Starts s3rver in this process with its files in `dir`, and creates the
 * bucket (with a permissive CORS rule) when it does not exist yet. s3rver is
 * a development dependency, so it is loaded only here, when the local stack
 * or a test asks for it.
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const dir = resolve(options.dir);
  const bucket = options.bucket ?? LOCAL_S3_BUCKET;
  const logger = options.logger ?? silentLogger;
  await mkdir(dir, { recursive: true });
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({
    address: options.host,
    port: options.port,
    directory: dir,
    silent: true,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket, configs: [LOCAL_CORS] }],
  });
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (error) {
    const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw new LocalS3StartError(
      taken ? `Port ${options.port} on ${options.host} is already in use (another s3rver still running? set S3_LOCAL_PORT)` : `s3rver did not start: ${String(error)}`,
      { cause: error },
    );
  }
  const endpoint = httpUrl(options.host, address.port);
  logger.info({ endpoint, bucket, dir }, 's3rver started');
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port: address.port,
    bucket,
    region: LOCAL_S3_REGION,
    stop: () => (stopping ??= server.close()),
  };
}

/** The media store on a local s3rver, as the app and the tests use it. */
export function localS3Storage(s3: Pick<LocalS3, 'endpoint' | 'bucket' | 'region'>, options: { clock?: () => Date } = {}): S3Storage {
  return createS3Storage({
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    // s3rver ignores the header (it has no encryption), but production sends
    // it: sending it here too keeps the local flow the production flow.
    serverSideEncryption: 'AES256',
    credentials: { ...LOCAL_S3_CREDENTIALS },
    ...options,
  });
}
