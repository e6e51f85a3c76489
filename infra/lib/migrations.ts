import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { bundledFunction } from './functions.js';

export interface MigrationsProps {
  cluster: ecs.ICluster;
  taskDefinition: ecs.FargateTaskDefinition;
  containerName: string;
  logGroup: logs.ILogGroup;
  subnets: ec2.ISubnet[];
  securityGroup: ec2.ISecurityGroup;
  logRetention: logs.RetentionDays;
}

/**
 * Runs the migration task once per task-definition revision (so once per new
 * image tag) and waits for it: a custom resource whose handlers call
 * ecs:RunTask and ecs:DescribeTasks (infra/lambda/migration-runner.ts),
 * polled by the Provider framework for up to 30 minutes. A non-zero exit
 * fails the resource, so the deployment rolls back before the new version
 * serves. Make the API service depend on `resource`.
 */
export class Migrations extends Construct {
  readonly resource: CustomResource;
  readonly onEvent: NodejsFunction;
  readonly isComplete: NodejsFunction;

  constructor(scope: Construct, id: string, props: MigrationsProps) {
    super(scope, id);
    const common = {
      entry: 'infra/lambda/migration-runner.ts',
      timeout: Duration.minutes(1),
      memorySize: 256,
      logRetention: props.logRetention,
      // Deploy-time code: bundle the ECS client rather than rely on the runtime's SDK.
      externalModules: [],
    };
    this.onEvent = bundledFunction(this, 'OnEvent', { ...common, handler: 'onEvent', description: 'Profile Service: start the migration task' });
    this.isComplete = bundledFunction(this, 'IsComplete', { ...common, handler: 'isComplete', description: 'Profile Service: wait for the migration task' });

    const { cluster, taskDefinition } = props;
    const onCluster = { ArnEquals: { 'ecs:cluster': cluster.clusterArn } };
    this.onEvent.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:RunTask'], resources: [taskDefinition.taskDefinitionArn], conditions: onCluster }));
    this.onEvent.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [taskDefinition.taskRole.roleArn, taskDefinition.obtainExecutionRole().roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    const stack = Stack.of(this);
    this.isComplete.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTasks'],
        resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` })],
        conditions: onCluster,
      }),
    );

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEvent,
      isCompleteHandler: this.isComplete,
      queryInterval: Duration.seconds(15),
      totalTimeout: Duration.minutes(30),
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: props.logRetention }),
    });
    this.resource = new CustomResource(this, 'Run', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ProfileServiceMigrations',
      properties: {
        Cluster: cluster.clusterArn,
        // A new revision (new image tag, new environment) is an Update: the migrations run again.
        TaskDefinition: taskDefinition.taskDefinitionArn,
        ContainerName: props.containerName,
        Subnets: props.subnets.map((s) => s.subnetId),
        SecurityGroups: [props.securityGroup.securityGroupId],
        LogGroup: props.logGroup.logGroupName,
      },
    });
  }
}
