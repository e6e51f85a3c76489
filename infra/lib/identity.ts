import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Database } from './database.js';
import { bundledFunction } from './functions.js';
import type { Settings } from './settings.js';

/**
 * Cognito waits 5 s for a trigger. The handlers give up after 3.5 s of their
 * own; the function timeout sits between the two, leaving Cognito's retry
 * and the cold start (outside the timeout) room.
 */
export const TRIGGER_TIMEOUT = Duration.seconds(4);

export interface IdentityProps {
  vpc: ec2.IVpc;
  securityGroup: ec2.ISecurityGroup;
  database: Database;
  settings: Pick<Settings, 'smsMfa' | 'authGroupRoles' | 'triggerProvisionedConcurrency'>;
  logRetention: logs.RetentionDays;
}

/**
 * The user pool with only ADR 0009's minimal identity set, the front end's
 * app client, and the Post Confirmation and Pre Token Generation (event V2:
 * claims in ID and access tokens) triggers. The triggers' environment cannot
 * name the pool (the pool names them: a CloudFormation cycle), so they take
 * the issuer from the invoking pool (TRIGGER_ISSUER_FROM_EVENT, ADR 0003);
 * each function's resource policy admits only this pool.
 */
export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly postConfirmation: NodejsFunction;
  readonly preTokenGeneration: NodejsFunction;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { settings } = props;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Pre Token Generation event V2 (access-token claims) needs Essentials or Plus.
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // A changed email stays the sign-in name until the new one is verified.
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        phoneNumber: { required: false, mutable: true },
        givenName: { required: false, mutable: true },
        familyName: { required: false, mutable: true },
      },
      // ADR 0009: no custom attributes; everything else lives in PostgreSQL.
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: settings.smsMfa },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const identityAttributes = { email: true, phoneNumber: true, givenName: true, familyName: true };
    this.client = this.userPool.addClient('WebClient', {
      userPoolClientName: 'profile-service-web',
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new cognito.ClientAttributes().withStandardAttributes({ ...identityAttributes, emailVerified: true, phoneNumberVerified: true }),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes(identityAttributes),
    });

    const environment = {
      DATABASE_URL: props.database.url,
      DATABASE_IAM_AUTH: 'true',
      TRIGGER_ISSUER_FROM_EVENT: 'true',
      LOG_LEVEL: 'info',
    };
    const common = {
      timeout: TRIGGER_TIMEOUT,
      // More memory is more CPU: a shorter cold start inside Cognito's 5 s.
      memorySize: 1024,
      vpc: { vpc: props.vpc, securityGroups: [props.securityGroup] },
      logRetention: props.logRetention,
    };
    this.postConfirmation = bundledFunction(this, 'PostConfirmation', {
      ...common,
      entry: 'src/lambda/post-confirmation.ts',
      description: 'Profile Service: Cognito Post Confirmation (provisions the user)',
      environment,
    });
    this.preTokenGeneration = bundledFunction(this, 'PreTokenGeneration', {
      ...common,
      entry: 'src/lambda/pre-token-generation.ts',
      description: 'Profile Service: Cognito Pre Token Generation V2 (user id and roles as claims)',
      environment: { ...environment, ...(settings.authGroupRoles ? { AUTH_GROUP_ROLES: settings.authGroupRoles } : {}) },
    });

    for (const fn of [this.postConfirmation, this.preTokenGeneration]) props.database.grantConnect(fn);
    this.userPool.addTrigger(cognito.UserPoolOperation.POST_CONFIRMATION, this.invocationTarget(this.postConfirmation, settings.triggerProvisionedConcurrency));
    this.userPool.addTrigger(
      cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      this.invocationTarget(this.preTokenGeneration, settings.triggerProvisionedConcurrency),
      cognito.LambdaVersion.V2_0,
    );
  }

  /** The function itself, or a `live` alias with provisioned concurrency (no cold starts inside Cognito's 5 s). */
  private invocationTarget(fn: NodejsFunction, provisioned: number): lambda.IFunction {
    if (provisioned === 0) return fn;
    return new lambda.Alias(fn, 'Live', { aliasName: 'live', version: fn.currentVersion, provisionedConcurrentExecutions: provisioned });
  }
}
