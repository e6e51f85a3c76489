import {
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';

/** A user as the identity provider knows them (only the ADR's minimal identity set). */
export interface DirectoryUser {
  username: string;
  sub: string;
  email: string | null;
  emailVerified: boolean | null;
  enabled: boolean;
  status: string | null;
}

export interface DirectoryPage {
  users: DirectoryUser[];
  nextToken: string | null;
}

/** The port the sync paths use; the Cognito adapter below, a stub in tests. */
export interface UserDirectory {
  /** One page of the whole pool (ListUsers, 60 at most). */
  listUsers(paginationToken: string | null): Promise<DirectoryPage>;
  /** The user with this `sub`, or null (ListUsers with a `sub =` filter). */
  findBySub(sub: string): Promise<DirectoryUser | null>;
  deleteUser(username: string): Promise<void>;
}

/**
 * Cognito's admin API for one pool. Credentials come from the AWS SDK's
 * default chain; `endpoint` only for a local emulator (COGNITO_ENDPOINT).
 */
export class CognitoUserDirectory implements UserDirectory {
  private readonly client: CognitoIdentityProviderClient;

  constructor(
    private readonly userPoolId: string,
    options: { region: string; endpoint?: string | null; client?: CognitoIdentityProviderClient },
  ) {
    this.client =
      options.client ??
      new CognitoIdentityProviderClient({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
        // Throttling is handled by the caller's rate limiter and backoff.
        maxAttempts: 1,
      });
  }

  async listUsers(paginationToken: string | null): Promise<DirectoryPage> {
    const out = await this.client.send(
      new ListUsersCommand({ UserPoolId: this.userPoolId, Limit: 60, ...(paginationToken ? { PaginationToken: paginationToken } : {}) }),
    );
    return { users: (out.Users ?? []).map(toDirectoryUser).filter((u): u is DirectoryUser => u !== null), nextToken: out.PaginationToken ?? null };
  }

  async findBySub(sub: string): Promise<DirectoryUser | null> {
    const escaped = sub.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
    const out = await this.client.send(new ListUsersCommand({ UserPoolId: this.userPoolId, Filter: `sub = "${escaped}"`, Limit: 1 }));
    const users = (out.Users ?? []).map(toDirectoryUser).filter((u): u is DirectoryUser => u !== null && u.sub === sub);
    return users[0] ?? null;
  }

  async deleteUser(username: string): Promise<void> {
    await this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: username }));
  }
}

function toDirectoryUser(user: UserType): DirectoryUser | null {
  const attributes = new Map((user.Attributes ?? []).map((a) => [a.Name ?? '', a.Value ?? '']));
  const sub = attributes.get('sub');
  if (!sub || !user.Username) return null;
  const verified = attributes.get('email_verified');
  return {
    username: user.Username,
    sub,
    email: attributes.get('email') ?? null,
    emailVerified: verified === undefined ? null : verified === 'true',
    enabled: user.Enabled !== false,
    status: user.UserStatus ?? null,
  };
}
