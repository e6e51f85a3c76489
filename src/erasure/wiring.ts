import type { Config } from '../config/index.js';
import { s3StorageFromConfig } from '../media/index.js';
import { CognitoUserDirectory } from '../sync/directory.js';
import type { ErasureDeps, IdentityProviderEraser } from './service.js';

/**
 * The erasure dependencies from configuration: the S3 object deleter when
 * media storage is configured, and the Cognito user deletion when
 * ERASE_IDP_USER=true.
 */
export function erasureDepsFor(config: Config): ErasureDeps {
  const storage = s3StorageFromConfig(config.s3);
  return {
    objects: storage === null ? null : { deleteObject: (key) => storage.delete(key) },
    identityProvider: identityProviderFor(config),
  };
}

export function identityProviderFor(config: Config): IdentityProviderEraser | null {
  if (!config.eraseIdpUser || config.auth === null) return null;
  const directory = new CognitoUserDirectory(config.auth.userPoolId, { region: config.auth.region, endpoint: config.cognito.endpoint });
  return {
    async deleteUserBySub(sub) {
      const user = await directory.findBySub(sub);
      if (user !== null) await directory.deleteUser(user.username);
    },
  };
}
