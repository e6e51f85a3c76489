#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ProfileServiceStack } from '../lib/profile-service-stack.js';
import { readSettings, SettingsError } from '../lib/settings.js';

/**
 * `npx cdk synth|diff|deploy` (cdk.json runs this with tsx). Parameters come
 * from CDK context (docs/deploy.md); the stack is environment-agnostic and
 * deploys to the account and region of the CLI's credentials.
 */
const app = new App();
try {
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stackName = String(app.node.tryGetContext('stackName') ?? 'ProfileService');
  new ProfileServiceStack(app, stackName, {
    settings,
    description: 'Profile Service (ADR 0009): Cognito, triggers, PostgreSQL behind RDS Proxy, S3 media, the API on ECS Fargate',
  });
  app.synth();
} catch (error) {
  if (error instanceof SettingsError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
