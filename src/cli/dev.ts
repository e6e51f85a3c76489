import { startLocalStack } from '../dev/stack.js';
import { onShutdown } from './shutdown.js';

/** `profile-service dev` (= `npm start`): the whole local stack, stopped by Ctrl-C. */
export async function devCommand(): Promise<void> {
  const stack = await startLocalStack(process.env);
  onShutdown(stack.stop);
  console.log(
    [
      '',
      'Profile Service local stack is running.',
      `  API          ${stack.apiUrl}`,
      `  API docs     ${stack.docsUrl}`,
      `  Cognito      ${stack.cognitoUrl} (cognito-local, pool ${stack.userPoolId}, client ${stack.clientId})`,
      `  Media (S3)   ${stack.s3Endpoint}/${stack.s3Bucket} (s3rver, objects in ${stack.dataDir}/s3)`,
      `  Data         ${stack.dataDir}`,
      '',
      'Get a token (signs up, confirms through the real Post Confirmation handler, logs in):',
      '  npm run cli -- dev:user alice@example.com',
      'then:',
      `  curl -H "Authorization: Bearer $TOKEN" ${stack.apiUrl}/v1/me`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}
