import { ProfileServiceError, type FieldError } from '../errors.js';

/** No such item for this user: another user's item is reported the same way, so its existence is not revealed. */
export class MediaNotFoundError extends ProfileServiceError {
  constructor() {
    super('ERR_MEDIA_NOT_FOUND', 'No such media item');
  }
}

/** `complete` was called but nothing has been uploaded to the item's URL (yet). */
export class MediaNotUploadedError extends ProfileServiceError {
  constructor() {
    super('ERR_MEDIA_NOT_UPLOADED', 'Nothing has been uploaded for this media item yet');
  }
}

/** The uploaded object is not what was declared (size, content type or content). */
export class MediaMismatchError extends ProfileServiceError {
  readonly errors: readonly FieldError[];

  constructor(errors: readonly FieldError[]) {
    super('ERR_MEDIA_MISMATCH', errors.map((e) => `${e.pointer}: ${e.message}`).join('; '));
    this.errors = errors;
  }
}

/** The user already has as many pending uploads or items as allowed. */
export class MediaLimitError extends ProfileServiceError {
  constructor(message: string) {
    super('ERR_MEDIA_LIMIT', message);
  }
}

/** The object store cannot be reached or is failing (network, 5xx, throttling). */
export class StorageUnavailableError extends ProfileServiceError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_STORAGE_UNAVAILABLE', 'The media store is unavailable', options);
  }
}

/** No bucket is configured (S3_BUCKET unset): media routes cannot work. */
export class MediaNotConfiguredError extends ProfileServiceError {
  constructor() {
    super('ERR_MEDIA_NOT_CONFIGURED', 'Media storage is not configured (S3_BUCKET)');
  }
}
