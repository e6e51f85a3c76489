import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

/** An SDK client for cognito-local: its endpoint, region `local`, dummy credentials. */
export function localCognitoClient(cognitoUrl: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: cognitoUrl,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
}

/** The AWS error name (`ResourceNotFoundException`, …) of an SDK error, if it is one. */
export function awsErrorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** `Name: message` of an SDK error, safe for messages: cognito-local's errors never echo input. */
export function describeAwsError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * The SDK error without its `$response` (a whole socket and request object
 * that buries the message when printed): name, message, stack and the HTTP
 * status stay.
 */
export function slimAwsError(err: unknown): unknown {
  if (!(err instanceof Error) || !('$response' in err)) return err;
  const slim = new Error(err.message);
  slim.name = err.name;
  if (err.stack !== undefined) slim.stack = err.stack;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) Object.assign(slim, { httpStatusCode: status });
  return slim;
}
