import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Database } from './database.js';
import type { Media } from './media.js';
import { Migrations } from './migrations.js';
import type { Settings } from './settings.js';

export const API_PORT = 3000;
const CLI = ['node', 'dist/cli/main.js'];
/**
 * `migrate`, retried: on the first deployment RDS Proxy may still be
 * registering its target when the task starts. Migrations are transactional
 * and recorded, so a retry applies only what is still pending.
 */
const MIGRATE_COMMAND = [
  'sh',
  '-c',
  'for attempt in 1 2 3 4 5; do node dist/cli/main.js migrate && exit 0; echo "migrate failed (attempt $attempt of 5)" >&2; sleep 30; done; exit 1',
];
export const MEDIA_CLEANUP_COMMAND = [...CLI, 'media', 'cleanup', '--apply', '--json'];
export const RECONCILE_COMMAND = [...CLI, 'reconcile', '--fix'];
export const OPS_FAMILY = 'profile-service-ops';

export interface ServiceProps {
  vpc: ec2.IVpc;
  securityGroup: ec2.ISecurityGroup;
  database: Database;
  media: Media;
  userPool: cognito.IUserPool;
  client: cognito.IUserPoolClient;
  settings: Settings;
  logRetention: logs.RetentionDays;
}

/**
 * The API on ECS Fargate behind an internet-facing ALB (health check
 * `/readyz`, autoscaling on CPU and on requests per target), plus the two
 * other task definitions on the same image: `migrate` (run by the
 * Migrations custom resource before the service updates) and `ops` (the
 * daily `media cleanup --apply`, and one-off commands: `roles grant`,
 * `reconcile`, `audit verify`). Each has its own least-privilege role.
 */
export class ApiService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly service: ecsPatterns.ApplicationLoadBalancedFargateService;
  readonly migrations: Migrations;
  readonly migrateTask: ecs.FargateTaskDefinition;
  readonly opsTask: ecs.FargateTaskDefinition;
  readonly scheduledRules: events.Rule[];

  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id);
    const { settings, database, media } = props;
    const region = Stack.of(this).region;
    const privateSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    const repository = ecr.Repository.fromRepositoryName(this, 'Repository', settings.imageRepository);
    const image = ecs.ContainerImage.fromEcrRepository(repository, settings.imageTag);
    const runtimePlatform = {
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      cpuArchitecture: settings.cpuArchitecture === 'arm64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
    };
    const database_ = { DATABASE_URL: database.url, DATABASE_IAM_AUTH: 'true', LOG_LEVEL: 'info' };
    const cognito_ = { COGNITO_USER_POOL_ID: props.userPool.userPoolId, COGNITO_CLIENT_IDS: props.client.userPoolClientId };
    const media_ = { S3_BUCKET: media.bucket.bucketName, S3_REGION: region };
    const groupRoles: Record<string, string> = settings.authGroupRoles ? { AUTH_GROUP_ROLES: settings.authGroupRoles } : {};
    const cognitoAdmin = new iam.PolicyStatement({
      // Erasure deletes the Cognito user too (ERASE_IDP_USER): find it by sub, delete it.
      actions: ['cognito-idp:ListUsers', 'cognito-idp:AdminDeleteUser'],
      resources: [props.userPool.userPoolArn],
    });

    const container = (task: ecs.FargateTaskDefinition, name: string, options: Omit<ecs.ContainerDefinitionOptions, 'image'>) => {
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: props.logRetention });
      task.addContainer(name, {
        image,
        readonlyRootFilesystem: true,
        logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: name }),
        ...options,
      });
      return logGroup;
    };

    // The API.
    const apiTask = new ecs.FargateTaskDefinition(this, 'ApiTask', {
      family: 'profile-service-api',
      cpu: settings.apiCpu,
      memoryLimitMiB: settings.apiMemoryMiB,
      runtimePlatform,
    });
    container(apiTask, 'api', {
      command: [...CLI, 'serve'],
      portMappings: [{ containerPort: API_PORT }],
      environment: {
        ...database_,
        ...(database.readUrl ? { DATABASE_READ_URL: database.readUrl } : {}),
        DATABASE_POOL_MAX: '10',
        HOST: '0.0.0.0',
        PORT: String(API_PORT),
        ...cognito_,
        ...media_,
        ...groupRoles,
        JIT_PROVISIONING: 'true',
        ERASE_IDP_USER: String(settings.eraseIdpUser),
      },
    });
    database.grantConnect(apiTask.taskRole);
    media.grantApi(apiTask.taskRole);
    if (settings.eraseIdpUser) apiTask.taskRole.addToPrincipalPolicy(cognitoAdmin);

    // Migrations: the database only.
    this.migrateTask = new ecs.FargateTaskDefinition(this, 'MigrateTask', { family: 'profile-service-migrate', cpu: 256, memoryLimitMiB: 512, runtimePlatform });
    const migrateLogs = container(this.migrateTask, 'migrate', { command: MIGRATE_COMMAND, environment: database_ });
    database.grantConnect(this.migrateTask.taskRole);

    // Operations: media cleanup (S3 list + delete), reconcile (Cognito ListUsers; erasure), roles, audit.
    this.opsTask = new ecs.FargateTaskDefinition(this, 'OpsTask', { family: OPS_FAMILY, cpu: 256, memoryLimitMiB: 512, runtimePlatform });
    container(this.opsTask, 'ops', {
      command: [...CLI, '--help'],
      environment: { ...database_, ...cognito_, ...media_, ERASE_IDP_USER: String(settings.eraseIdpUser) },
    });
    database.grantConnect(this.opsTask.taskRole);
    media.grantCleanup(this.opsTask.taskRole);
    this.opsTask.taskRole.addToPrincipalPolicy(
      settings.eraseIdpUser ? cognitoAdmin : new iam.PolicyStatement({ actions: ['cognito-idp:ListUsers'], resources: [props.userPool.userPoolArn] }),
    );

    const certificate = settings.certificateArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', settings.certificateArn) : undefined;
    this.service = new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Api', {
      cluster: this.cluster,
      taskDefinition: apiTask,
      desiredCount: settings.apiDesiredCount,
      publicLoadBalancer: true,
      securityGroups: [props.securityGroup],
      taskSubnets: privateSubnets,
      assignPublicIp: false,
      ...(certificate
        ? { protocol: elbv2.ApplicationProtocol.HTTPS, certificate, redirectHTTP: true, sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS }
        : { protocol: elbv2.ApplicationProtocol.HTTP }),
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(60),
    });
    this.service.targetGroup.configureHealthCheck({
      path: '/readyz',
      healthyHttpCodes: '200',
      interval: Duration.seconds(15),
      timeout: Duration.seconds(5),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
    });
    this.service.targetGroup.setAttribute('deregistration_delay.timeout_seconds', '30');
    this.service.loadBalancer.setAttribute('routing.http.drop_invalid_header_fields.enabled', 'true');

    const scaling = this.service.service.autoScaleTaskCount({ minCapacity: settings.apiMinCount, maxCapacity: settings.apiMaxCount });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: settings.apiCpuTargetPercent,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.minutes(5),
    });
    scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: settings.apiRequestsPerTarget,
      targetGroup: this.service.targetGroup,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.minutes(5),
    });

    this.migrations = new Migrations(this, 'Migrations', {
      cluster: this.cluster,
      taskDefinition: this.migrateTask,
      containerName: 'migrate',
      logGroup: migrateLogs,
      subnets: props.vpc.selectSubnets(privateSubnets).subnets,
      securityGroup: props.securityGroup,
      logRetention: props.logRetention,
    });
    // The database, its proxy and the NAT routes (image pull) exist before the task runs…
    this.migrations.node.addDependency(database, props.vpc);
    // …and a new version serves only after its migrations succeeded.
    this.service.service.node.addDependency(this.migrations.resource);

    // The scheduled operations (docs/media.md, docs/sync.md); a failed run notifies the alarm topic (Alarms).
    const scheduled = (id: string, description: string, schedule: string, command: string[]) =>
      new events.Rule(this, id, {
        description,
        schedule: events.Schedule.expression(schedule),
        targets: [
          new targets.EcsTask({
            cluster: this.cluster,
            taskDefinition: this.opsTask,
            subnetSelection: privateSubnets,
            securityGroups: [props.securityGroup],
            containerOverrides: [{ containerName: 'ops', command }],
          }),
        ],
      });
    this.scheduledRules = [
      scheduled('MediaCleanup', 'Profile Service: media cleanup --apply (expired uploads, unreferenced objects, queued erasure deletions)', settings.mediaCleanupSchedule, MEDIA_CLEANUP_COMMAND),
      scheduled('Reconcile', 'Profile Service: reconcile --fix (the Cognito pool against the database)', settings.reconcileSchedule, RECONCILE_COMMAND),
    ];
  }
}
