/**
 * The object store as the media service needs it. The S3 adapter
 * (s3-storage.ts) implements it for AWS S3 and S3-compatible servers.
 */
export interface MediaStorage {
  /** A presigned PUT bound to the key, content type, exact length and (when configured) encryption. */
  presignUpload(input: { key: string; contentType: string; sizeBytes: number; expiresInSeconds: number }): Promise<PresignedRequest>;
  /** A presigned GET of the key, served with the given Content-Disposition. */
  presignDownload(input: { key: string; expiresInSeconds: number; contentDisposition: string }): Promise<PresignedUrl>;
  /** Size and type of a stored object, or null when there is none. */
  head(key: string): Promise<ObjectHead | null>;
  /** Up to `bytes` bytes from the start of the object (empty when it is gone). */
  readStart(key: string, bytes: number): Promise<Uint8Array>;
  /** Removes the object; removing one that does not exist is not an error. */
  delete(key: string): Promise<void>;
  /** Every object under `prefix`, a page at a time. */
  list(prefix: string): AsyncIterable<StoredObject[]>;
}

export interface PresignedUrl {
  url: string;
  expiresAt: Date;
}

export interface PresignedRequest extends PresignedUrl {
  method: 'PUT';
  /** Headers the client must send exactly as given: they are part of the signature. */
  headers: Record<string, string>;
}

export interface ObjectHead {
  sizeBytes: number;
  contentType: string | null;
}

export interface StoredObject {
  key: string;
  sizeBytes: number;
  lastModified: Date;
}
