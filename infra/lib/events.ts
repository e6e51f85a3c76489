import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HANDLED_EVENT_NAMES } from '../../src/lambda/cognito-event-names.js';
import type { Database } from './database.js';
import { bundledFunction } from './functions.js';
import type { Media } from './media.js';

export interface CognitoEventsProps {
  vpc: ec2.IVpc;
  securityGroup: ec2.ISecurityGroup;
  database: Database;
  userPool: cognito.IUserPool;
  media: Media;
  eraseIdpUser: boolean;
  createTrail: boolean;
  logRetention: logs.RetentionDays;
}

/**
 * Cognito has no delete or update trigger: its admin and user API calls
 * reach the cognito-events handler as CloudTrail events on EventBridge
 * (a trail recording management events must exist in the account; the
 * `createTrail` context parameter makes one). Failures are retried, then kept
 * in an encrypted dead-letter queue: EventBridge's delivery failures by the
 * rule target, the handler's own errors by the function's on-failure
 * destination.
 */
export class CognitoEvents extends Construct {
  readonly function: NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: CognitoEventsProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.function = bundledFunction(this, 'Handler', {
      entry: 'src/lambda/cognito-events.ts',
      description: 'Profile Service: Cognito API calls from CloudTrail (erasure, identity refresh, enable/disable)',
      timeout: Duration.seconds(30),
      vpc: { vpc: props.vpc, securityGroups: [props.securityGroup] },
      logRetention: props.logRetention,
      environment: {
        // No cycle here: the rule depends on the function, not the pool on it.
        COGNITO_USER_POOL_ID: props.userPool.userPoolId,
        DATABASE_URL: props.database.url,
        DATABASE_IAM_AUTH: 'true',
        ERASE_IDP_USER: String(props.eraseIdpUser),
        S3_BUCKET: props.media.bucket.bucketName,
        S3_REGION: Stack.of(this).region,
        LOG_LEVEL: 'info',
      },
    });
    const deadLetterQueue = this.deadLetterQueue;
    this.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      // SqsDestination would also grant GetQueueAttributes and GetQueueUrl; sending is all it needs.
      onFailure: {
        bind: (_scope, fn) => {
          fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }));
          return { destination: deadLetterQueue.queueArn };
        },
      },
    });
    props.database.grantConnect(this.function);
    props.media.grantErase(this.function);
    // ListUsers: the handler re-reads a user by sub (CloudTrail hides attribute values).
    const cognitoActions = ['cognito-idp:ListUsers', ...(props.eraseIdpUser ? ['cognito-idp:AdminDeleteUser'] : [])];
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: cognitoActions, resources: [props.userPool.userPoolArn] }));

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Cognito user deletions and attribute changes for Profile Service',
      eventPattern: {
        source: ['aws.cognito-idp'],
        detailType: ['AWS API Call via CloudTrail'],
        // Not filtered on requestParameters.userPoolId: DeleteUser and
        // UpdateUserAttributes (called with the user's access token) do not
        // carry it; the handler ignores other pools' calls that do.
        detail: { eventSource: ['cognito-idp.amazonaws.com'], eventName: [...HANDLED_EVENT_NAMES] },
      },
      targets: [
        new targets.LambdaFunction(this.function, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    if (props.createTrail) {
      new cloudtrail.Trail(this, 'Trail', {
        managementEvents: cloudtrail.ReadWriteType.WRITE_ONLY,
        includeGlobalServiceEvents: true,
        isMultiRegionTrail: false,
        enableFileValidation: true,
        bucket: new s3.Bucket(this, 'TrailBucket', {
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          encryption: s3.BucketEncryption.S3_MANAGED,
          enforceSSL: true,
          removalPolicy: RemovalPolicy.RETAIN,
          lifecycleRules: [{ expiration: Duration.days(365) }],
        }),
      });
    }
  }
}
