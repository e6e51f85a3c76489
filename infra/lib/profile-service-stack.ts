import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { Alarms } from './alarms.js';
import { Database } from './database.js';
import { CognitoEvents } from './events.js';
import { Identity } from './identity.js';
import { Media } from './media.js';
import { Network } from './network.js';
import { ApiService } from './service.js';
import type { Settings } from './settings.js';

export interface ProfileServiceStackProps extends StackProps {
  settings: Settings;
}

/**
 * Profile Service on AWS (ADR 0009): Cognito with the two triggers, RDS or
 * Aurora PostgreSQL behind RDS Proxy, the media bucket, the API on ECS
 * Fargate behind an ALB with migrations run before each new version, the
 * CloudTrail → EventBridge → cognito-events path, and alarms.
 * Environment-agnostic: no lookups, so `cdk synth` needs no AWS account.
 */
export class ProfileServiceStack extends Stack {
  readonly network: Network;
  readonly database: Database;
  readonly identity: Identity;
  readonly media: Media;
  readonly api: ApiService;
  readonly cognitoEvents: CognitoEvents;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: ProfileServiceStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const logRetention = settings.logRetentionDays as logs.RetentionDays;

    this.network = new Network(this, 'Network', { natGateways: settings.natGateways });
    const { vpc, tasksSecurityGroup, functionsSecurityGroup } = this.network;
    this.database = new Database(this, 'Database', {
      vpc,
      clients: [tasksSecurityGroup, functionsSecurityGroup],
      settings,
      logRetention,
    });
    this.media = new Media(this, 'Media', { corsOrigins: settings.corsOrigins });
    this.identity = new Identity(this, 'Identity', { vpc, securityGroup: functionsSecurityGroup, database: this.database, settings, logRetention });
    this.cognitoEvents = new CognitoEvents(this, 'CognitoEvents', {
      vpc,
      securityGroup: functionsSecurityGroup,
      database: this.database,
      userPool: this.identity.userPool,
      media: this.media,
      eraseIdpUser: settings.eraseIdpUser,
      createTrail: settings.createTrail,
      logRetention,
    });
    this.api = new ApiService(this, 'Service', {
      vpc,
      securityGroup: tasksSecurityGroup,
      database: this.database,
      media: this.media,
      userPool: this.identity.userPool,
      client: this.identity.client,
      settings,
      logRetention,
    });
    this.alarms = new Alarms(this, 'Alarms', {
      alarmEmail: settings.alarmEmail,
      alarmTopicArn: settings.alarmTopicArn,
      triggers: [
        { name: 'PostConfirmation', fn: this.identity.postConfirmation, logGroup: this.identity.postConfirmation.logGroup },
        { name: 'PreTokenGeneration', fn: this.identity.preTokenGeneration, logGroup: this.identity.preTokenGeneration.logGroup },
      ],
      cognitoEvents: this.cognitoEvents.function,
      deadLetterQueue: this.cognitoEvents.deadLetterQueue,
      service: this.api.service,
      database: this.database,
      opsTasks: { cluster: this.api.cluster, family: this.api.opsTask.family },
    });

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('ApiUrl', `${settings.certificateArn ? 'https' : 'http'}://${this.api.service.loadBalancer.loadBalancerDnsName}`, 'The API (point your DNS name at the load balancer)');
    output('UserPoolId', this.identity.userPool.userPoolId, 'COGNITO_USER_POOL_ID');
    output('UserPoolClientId', this.identity.client.userPoolClientId, 'The front end app client (no secret; SRP and refresh-token flows)');
    output('MediaBucket', this.media.bucket.bucketName, 'S3_BUCKET');
    output('ClusterName', this.api.cluster.clusterName, 'ECS cluster (run-task for ops commands)');
    output('OpsTaskDefinition', this.api.opsTask.family, 'Task definition family for one-off commands (roles grant, reconcile, audit verify)');
    output('OpsSubnets', vpc.selectSubnets({ subnetType: this.network.privateSubnetType }).subnetIds.join(','), 'Subnets for run-task');
    output('OpsSecurityGroup', tasksSecurityGroup.securityGroupId, 'Security group for run-task');
    output('DeadLetterQueueUrl', this.cognitoEvents.deadLetterQueue.queueUrl, 'Cognito events that could not be applied');
    output('AlarmTopicArn', this.alarms.topic.topicArn, 'Alarm notifications');
  }
}
