export {
  ALLOWED_TYPES,
  MEDIA_KINDS,
  MEDIA_PREFIX,
  checkUploadRequest,
  contentDisposition,
  newObjectKey,
  ownerPrefix,
  type MediaItem,
  type MediaKind,
  type MediaLimits,
  type MediaStatus,
  type UploadRequest,
} from './model.js';
export {
  completeUpload,
  deleteMediaItem,
  downloadUrlFor,
  getMediaItem,
  listMediaItems,
  requestUpload,
  withDownloadUrls,
  type MediaChange,
  type MediaContext,
} from './service.js';
export { cleanupMedia, DEFAULT_GRACE_SECONDS, type CleanupOptions, type CleanupReport } from './cleanup.js';
export type { MediaStorage, ObjectHead, PresignedRequest, PresignedUrl, StoredObject } from './storage.js';
export { createS3Storage, s3StorageFromConfig, type S3Storage, type S3StorageOptions } from './s3-storage.js';
export { looksLike, SNIFF_BYTES } from './sniff.js';
export {
  MediaLimitError,
  MediaMismatchError,
  MediaNotConfiguredError,
  MediaNotFoundError,
  MediaNotUploadedError,
  StorageUnavailableError,
} from './errors.js';
