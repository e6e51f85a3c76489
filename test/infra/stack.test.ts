import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_BUNDLING } from '../../infra/lib/functions.js';
import { HANDLED_EVENT_NAMES } from '../../src/lambda/cognito-event-names.js';
import { DB_USER } from '../../infra/lib/database.js';
import { MEDIA_CLEANUP_COMMAND, OPS_FAMILY, RECONCILE_COMMAND } from '../../infra/lib/service.js';
import { synth, type Synthesized } from './synth.js';
import { dependencies, findCycle, grantsOf, logicalId, managedPoliciesOf, render, resourcesOfType, roleIdOf, single, statements } from './template.js';

/**
 * The default deployment (RDS for PostgreSQL, no read replica, HTTP only),
 * synthesized once with cdk.json's context, including CDK's own template
 * validation rules and real esbuild bundling of the Lambda code (the other
 * test files skip both). What is checked here is what would hurt in
 * production: exposure, encryption, permissions, wiring.
 */
let s: Synthesized;
let outdir: string;
let ids: Record<'proxy' | 'bucket' | 'pool' | 'dlq' | 'cluster' | 'migrateTask' | 'postConfirmation' | 'preToken' | 'events' | 'dbSg' | 'proxySg' | 'tasksSg' | 'functionsSg' | 'topic', string>;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'profile-service-cdk-'));
  s = synth({}, { bundle: true, outdir });
  const { stack } = s;
  ids = {
    proxy: logicalId(stack, stack.database.proxy),
    bucket: logicalId(stack, stack.media.bucket),
    pool: logicalId(stack, stack.identity.userPool),
    dlq: logicalId(stack, stack.cognitoEvents.deadLetterQueue),
    cluster: logicalId(stack, stack.api.cluster),
    migrateTask: logicalId(stack, stack.api.migrateTask),
    postConfirmation: logicalId(stack, stack.identity.postConfirmation),
    preToken: logicalId(stack, stack.identity.preTokenGeneration),
    events: logicalId(stack, stack.cognitoEvents.function),
    dbSg: securityGroupId('Profile Service PostgreSQL'),
    proxySg: securityGroupId('Profile Service RDS Proxy'),
    tasksSg: logicalId(stack, stack.network.tasksSecurityGroup),
    functionsSg: logicalId(stack, stack.network.functionsSecurityGroup),
    topic: logicalId(stack, stack.alarms.topic as never),
  };
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function securityGroupId(descriptionStart: string): string {
  const found = resourcesOfType(s.json, 'AWS::EC2::SecurityGroup').filter(([, r]) => String(r.Properties?.GroupDescription).startsWith(descriptionStart));
  expect(found).toHaveLength(1);
  return found[0]![0];
}

/** `rds-db:connect` through the proxy as the service's user: the grant every database client has. */
const connect = () =>
  `rds-db:connect on arn:\${AWS::Partition}:rds-db:\${AWS::Region}:\${AWS::AccountId}:dbuser:Select(6,Split(:,\${${ids.proxy}.DBProxyArn}))/${DB_USER}`;
const media = (action: string) => `${action} on \${${ids.bucket}.Arn}/media/*`;
const poolGrant = (action: string) => `${action} on \${${ids.pool}.Arn}`;

describe('database', () => {
  it('RDS for PostgreSQL 16: Multi-AZ, private, KMS-encrypted, backed up, protected from deletion', () => {
    s.template.resourceCountIs('AWS::RDS::DBInstance', 1);
    s.template.resourceCountIs('AWS::RDS::DBCluster', 0);
    s.template.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({
        Engine: 'postgres',
        EngineVersion: Match.stringLikeRegexp('^16\\.'),
        MultiAZ: true,
        PubliclyAccessible: false,
        StorageEncrypted: true,
        KmsKeyId: Match.objectLike({ 'Fn::GetAtt': [logicalId(s.stack, s.stack.database.key), 'Arn'] }),
        BackupRetentionPeriod: 14,
        DeletionProtection: true,
        DBSubnetGroupName: Match.anyValue(),
        VPCSecurityGroups: [{ 'Fn::GetAtt': [ids.dbSg, 'GroupId'] }],
      }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
    const [, key] = single(s.json, 'AWS::KMS::Key');
    expect(key!.Properties).toMatchObject({ EnableKeyRotation: true });
    expect(key!.DeletionPolicy).toBe('Retain');
    // Backups of at least 7 days, whatever the default becomes.
    const [, instance] = single(s.json, 'AWS::RDS::DBInstance');
    expect(instance!.Properties!.BackupRetentionPeriod as number).toBeGreaterThanOrEqual(7);
  });

  it('lives in the isolated subnets (no route to the internet)', () => {
    const [, group] = single(s.json, 'AWS::RDS::DBSubnetGroup');
    const subnetIds = (group!.Properties!.SubnetIds as { Ref: string }[]).map((r) => r.Ref);
    const isolated = s.stack.network.vpc.isolatedSubnets;
    expect(subnetIds.sort()).toEqual(isolated.map((subnet) => logicalId(s.stack, subnet)).sort());
    const isolatedTables = isolated.map((subnet) => `\${${logicalId(s.stack, subnet.node.findChild('RouteTable'))}}`);
    const routedTables = resourcesOfType(s.json, 'AWS::EC2::Route').map(([, route]) => render(route.Properties!.RouteTableId));
    expect(routedTables.length).toBeGreaterThan(0);
    expect(routedTables.filter((table) => isolatedTables.includes(table))).toEqual([]);
  });

  it('admits connections from RDS Proxy and secret rotation only; the proxy from the tasks and the functions only', () => {
    const ingress = resourcesOfType(s.json, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => ({
      to: render(r.Properties!.GroupId),
      from: render(r.Properties!.SourceSecurityGroupId),
      port: r.Properties!.FromPort,
      toPort: r.Properties!.ToPort,
    }));
    const intoDb = ingress.filter((rule) => rule.to === `\${${ids.dbSg}.GroupId}`);
    const dbPort = `\${${logicalId(s.stack, s.stack.node.findChild('Database').node.findChild('Instance'))}.Endpoint.Port}`;
    expect(intoDb.every((rule) => render(rule.port) === dbPort && render(rule.toPort) === dbPort)).toBe(true);
    const rotation = logicalId(s.stack, s.stack.node.findChild('Database').node.findChild('Instance').node.findChild('RotationSingleUser').node.findChild('SecurityGroup'));
    expect(intoDb.map((rule) => rule.from).sort()).toEqual([`\${${ids.proxySg}.GroupId}`, `\${${rotation}.GroupId}`].sort());
    const intoProxy = ingress.filter((rule) => rule.to === `\${${ids.proxySg}.GroupId}`).map((rule) => [rule.from, rule.port]);
    expect(intoProxy.sort()).toEqual(
      [
        [`\${${ids.functionsSg}.GroupId}`, 5432],
        [`\${${ids.tasksSg}.GroupId}`, 5432],
      ].sort(),
    );
    // No security group admits the world except the load balancer's.
    for (const [id, group] of resourcesOfType(s.json, 'AWS::EC2::SecurityGroup')) {
      const open = ((group.Properties!.SecurityGroupIngress as { CidrIp?: string }[]) ?? []).filter((r) => r.CidrIp === '0.0.0.0/0');
      if (open.length > 0) expect(id).toMatch(/LB/);
    }
  });

  it('RDS Proxy requires TLS and IAM authentication; it logs in with the rotated secret', () => {
    s.template.hasResourceProperties('AWS::RDS::DBProxy', {
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      Auth: [Match.objectLike({ AuthScheme: 'SECRETS', IAMAuth: 'REQUIRED' })],
    });
    s.template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    s.template.resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
  });
});

describe('media bucket', () => {
  it('blocks public access, encrypts, refuses plain HTTP, keeps no old versions, aborts abandoned multipart uploads', () => {
    s.template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: { Rules: [Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })] },
        VersioningConfiguration: Match.absent(),
        CorsConfiguration: Match.absent(),
      }),
      DeletionPolicy: 'Retain',
    });
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('identity', () => {
  it("holds only ADR 0009's minimal identity set: email sign-in (auto-verified), optional phone and names, no custom attributes", () => {
    s.template.resourceCountIs('AWS::Cognito::UserPool', 1);
    const [, pool] = single(s.json, 'AWS::Cognito::UserPool');
    const props = pool!.Properties!;
    expect(props).toMatchObject({ UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'], UserPoolTier: 'ESSENTIALS', DeletionProtection: 'ACTIVE' });
    const schema = props.Schema as { Name: string; Required?: boolean; Mutable?: boolean }[];
    expect(schema.map((a) => a.Name).sort()).toEqual(['email', 'family_name', 'given_name', 'phone_number']);
    expect(schema.filter((a) => a.Required).map((a) => a.Name)).toEqual(['email']);
    // A custom attribute is any schema entry not in the standard set, or one CloudFormation marks as such.
    expect(schema.some((a) => 'AttributeDataType' in a || 'DeveloperOnlyAttribute' in a)).toBe(false);
    expect(pool!.DeletionPolicy).toBe('Retain');
  });

  it('MFA is optional, by authenticator app or SMS; recovery by email only', () => {
    s.template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: Match.arrayEquals(['SMS_MFA', 'SOFTWARE_TOKEN_MFA']),
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  it('the front end client has no secret, SRP and refresh only, no OAuth flows', () => {
    s.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: ids.pool },
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayEquals(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      AllowedOAuthFlowsUserPoolClient: false,
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
  });

  it('wires Post Confirmation and Pre Token Generation V2_0 to our handlers; only this pool may invoke them', () => {
    s.template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PostConfirmation: { 'Fn::GetAtt': [ids.postConfirmation, 'Arn'] },
        PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [ids.preToken, 'Arn'] }, LambdaVersion: 'V2_0' },
      },
    });
    for (const fn of [ids.postConfirmation, ids.preToken]) {
      s.template.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
        Action: 'lambda:InvokeFunction',
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ids.pool, 'Arn'] },
      });
    }
  });

  it('the triggers: Node.js 22 in the VPC, timeout under Cognito\'s 5 s, issuer from the invoking pool, IAM database auth, no password', () => {
    for (const id of [ids.postConfirmation, ids.preToken]) {
      const fn = s.json.Resources[id]!.Properties!;
      expect(fn.Runtime).toBe('nodejs22.x');
      expect(fn.Timeout as number).toBeLessThan(5);
      expect(fn.Timeout as number).toBeGreaterThan(3.5); // the handler's own budget fits inside
      expect(fn.VpcConfig).toMatchObject({ SecurityGroupIds: [{ 'Fn::GetAtt': [ids.functionsSg, 'GroupId'] }] });
      const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env).toMatchObject({ TRIGGER_ISSUER_FROM_EVENT: 'true', DATABASE_IAM_AUTH: 'true' });
      // The pool id would be a CloudFormation cycle (ADR 0003).
      expect(env.COGNITO_USER_POOL_ID).toBeUndefined();
      expect(env.AUTH_ISSUER).toBeUndefined();
      expect(render(env.DATABASE_URL)).toBe(`postgres://${DB_USER}@\${${ids.proxy}.Endpoint}:5432/profile`);
      const logGroup = s.json.Resources[(fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref]!;
      expect(logGroup.Properties).toMatchObject({ RetentionInDays: 90 });
    }
  });

  it('the template has no dependency cycle (the pool depends on the triggers, never the reverse)', () => {
    const graph = dependencies(s.json);
    expect(findCycle(graph)).toBeNull();
    expect(graph.get(ids.pool)).toContain(ids.postConfirmation);
    // The check can find one: a trigger that named its pool would close the loop.
    graph.get(ids.postConfirmation)!.add(ids.pool);
    expect(findCycle(graph)).toEqual(expect.arrayContaining([ids.pool, ids.postConfirmation]));
  });
});

describe('least-privilege IAM', () => {
  const functionRole = (id: string) => roleIdOf(s.json.Resources[id]!);
  const taskRole = (family: string) => {
    const [, task] = single(s.json, 'AWS::ECS::TaskDefinition', ([, r]) => r.Properties!.Family === family);
    return roleIdOf(task!, 'TaskRoleArn');
  };
  const lambdaManaged = ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole'];

  it('the triggers may connect to the database through the proxy, nothing else', () => {
    for (const id of [ids.postConfirmation, ids.preToken]) {
      expect(grantsOf(s.json, functionRole(id))).toEqual([connect()]);
      expect(managedPoliciesOf(s.json, functionRole(id))).toEqual(lambdaManaged);
    }
  });

  it('cognito-events: the database, ListUsers on this pool (no AdminDeleteUser without ERASE_IDP_USER), object deletion, its dead-letter queue', () => {
    expect(grantsOf(s.json, functionRole(ids.events))).toEqual(
      [connect(), poolGrant('cognito-idp:ListUsers'), media('s3:DeleteObject'), `sqs:SendMessage on \${${ids.dlq}.Arn}`].sort(),
    );
    expect(managedPoliciesOf(s.json, functionRole(ids.events))).toEqual(lambdaManaged);
  });

  it('the API task: the database and the media objects (put, get, delete) only', () => {
    expect(grantsOf(s.json, taskRole('profile-service-api'))).toEqual([connect(), media('s3:DeleteObject'), media('s3:GetObject'), media('s3:PutObject')].sort());
  });

  it('the migration task: the database only; the operations task: database, media cleanup, ListUsers', () => {
    expect(grantsOf(s.json, taskRole('profile-service-migrate'))).toEqual([connect()]);
    expect(grantsOf(s.json, taskRole('profile-service-ops'))).toEqual(
      [
        connect(),
        media('s3:DeleteObject'),
        `s3:ListBucket on \${${ids.bucket}.Arn} if {"StringLike":{"s3:prefix":["media/","media/*"]}}`,
        poolGrant('cognito-idp:ListUsers'),
      ].sort(),
    );
  });

  it('the migration runner: RunTask of the migration task definition in this cluster, PassRole of its two roles to ECS, DescribeTasks in this cluster', () => {
    const onCluster = `if {"ArnEquals":{"ecs:cluster":"\${${ids.cluster}.Arn}"}}`;
    const [, migrateTask] = single(s.json, 'AWS::ECS::TaskDefinition', ([, r]) => r.Properties!.Family === 'profile-service-migrate');
    const passed = [roleIdOf(migrateTask!, 'ExecutionRoleArn'), roleIdOf(migrateTask!, 'TaskRoleArn')];
    expect(grantsOf(s.json, functionRole(logicalId(s.stack, s.stack.api.migrations.onEvent)))).toEqual(
      [
        `ecs:RunTask on \${${ids.migrateTask}} ${onCluster}`,
        ...passed.map((role) => `iam:PassRole on \${${role}.Arn} if {"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}`),
      ].sort(),
    );
    expect(grantsOf(s.json, functionRole(logicalId(s.stack, s.stack.api.migrations.isComplete)))).toEqual([
      `ecs:DescribeTasks on arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task/\${${ids.cluster}}/* ${onCluster}`,
    ]);
  });

  it('no policy anywhere allows every action, and only the AWS-required grants name every resource', () => {
    const wildcardResources = new Set<string>();
    for (const { statement } of statements(s.json)) {
      const actions = [statement.Action].flat();
      expect(actions).not.toContain('*');
      expect(actions.filter((a) => a.endsWith(':*'))).toEqual([]);
      if ([statement.Resource].flat().includes('*')) actions.forEach((a) => wildcardResources.add(a));
    }
    // ECR's auth token has no resource; SMS to a phone number is an SNS publish to no topic (the role Cognito
    // assumes for SMS MFA, with an external id); CDK's log-retention helper sets retention on the RDS log groups.
    expect([...wildcardResources].sort()).toEqual(['ecr:GetAuthorizationToken', 'logs:DeleteRetentionPolicy', 'logs:PutRetentionPolicy', 'sns:Publish']);
  });
});

describe('API service', () => {
  it('serves behind the ALB with health checks on /readyz', () => {
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/readyz', Port: 80, Protocol: 'HTTP', TargetType: 'ip' });
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' }]),
    });
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    s.template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  it('runs `serve` on 0.0.0.0 with the pool, the client, the bucket and the proxy (IAM auth, no password, no replica)', () => {
    const [, task] = single(s.json, 'AWS::ECS::TaskDefinition', ([, r]) => r.Properties!.Family === 'profile-service-api');
    const [container] = task!.Properties!.ContainerDefinitions as { Command: string[]; Environment: { Name: string; Value: unknown }[]; ReadonlyRootFilesystem: boolean; Image: unknown }[];
    expect(container!.Command).toEqual(['node', 'dist/cli/main.js', 'serve']);
    expect(container!.ReadonlyRootFilesystem).toBe(true);
    expect(render(container!.Image)).toMatch(/\/profile-service:test-tag$/);
    const env = Object.fromEntries(container!.Environment.map((e) => [e.Name, render(e.Value)]));
    expect(env).toMatchObject({
      HOST: '0.0.0.0',
      PORT: '3000',
      DATABASE_URL: `postgres://${DB_USER}@\${${ids.proxy}.Endpoint}:5432/profile`,
      DATABASE_IAM_AUTH: 'true',
      COGNITO_USER_POOL_ID: `\${${ids.pool}}`,
      COGNITO_CLIENT_IDS: `\${${logicalId(s.stack, s.stack.identity.client)}}`,
      S3_BUCKET: `\${${ids.bucket}}`,
      S3_REGION: '${AWS::Region}',
      ERASE_IDP_USER: 'false',
    });
    expect(env.DATABASE_READ_URL).toBeUndefined();
    for (const value of Object.values(env)) expect(value).not.toMatch(/password|:[^@/]+@/i);
  });

  it('scales on CPU and on requests per target', () => {
    s.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10 });
    s.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 60 }),
    });
    s.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
        TargetValue: 1000,
      }),
    });
  });

  it('the migrations run as a one-off task of the image, re-run per task definition revision, before the service updates', () => {
    const [crId, resource] = single(s.json, 'Custom::ProfileServiceMigrations');
    expect(resource!.Properties).toMatchObject({ TaskDefinition: { Ref: ids.migrateTask }, ContainerName: 'migrate', Cluster: { 'Fn::GetAtt': [ids.cluster, 'Arn'] } });
    const [, task] = single(s.json, 'AWS::ECS::TaskDefinition', ([id]) => id === ids.migrateTask);
    const [container] = task!.Properties!.ContainerDefinitions as { Command: string[]; Image: unknown }[];
    expect(container!.Command.join(' ')).toContain('node dist/cli/main.js migrate && exit 0');
    expect(container!.Command.join(' ')).toMatch(/exit 1$/); // a migration that keeps failing fails the task
    expect(render(container!.Image)).toMatch(/\/profile-service:test-tag$/);
    const [serviceId] = single(s.json, 'AWS::ECS::Service');
    const graph = dependencies(s.json);
    expect(graph.get(serviceId!)).toContain(crId);
    // …and the task waits for the database and its proxy.
    expect(graph.get(crId!)).toEqual(expect.any(Set));
    expect([...graph.get(crId!)!].some((id) => id.startsWith('DatabaseProxy'))).toBe(true);
  });

  it('schedules `media cleanup --apply` and `reconcile --fix` on the operations task definition', () => {
    for (const [schedule, command] of [
      ['cron(30 3 * * ? *)', MEDIA_CLEANUP_COMMAND],
      ['cron(0 4 * * ? *)', RECONCILE_COMMAND],
    ] as const) {
      s.template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: schedule,
        Targets: [
          Match.objectLike({
            EcsParameters: Match.objectLike({ TaskDefinitionArn: { Ref: logicalId(s.stack, s.stack.api.opsTask) }, LaunchType: 'FARGATE' }),
            Input: Match.serializedJson({ containerOverrides: [{ name: 'ops', command: [...command] }] }),
          }),
        ],
      });
    }
  });
});

describe('Cognito events', () => {
  it('EventBridge matches the CloudTrail cognito-idp calls the handler handles, with retries and a dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cognito-idp'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['cognito-idp.amazonaws.com'], eventName: [...HANDLED_EVENT_NAMES] },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [ids.events, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
        }),
      ],
    });
    // The handler's own failures (after Lambda's retries) land in the same queue.
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: ids.events },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [ids.dlq, 'Arn'] } } },
    });
    s.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    s.template.resourceCountIs('AWS::CloudTrail::Trail', 0);
  });

  it('the handler is configured with the pool (no cycle here) and the media bucket for erasure', () => {
    const env = (s.json.Resources[ids.events]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, render(v)]))).toMatchObject({
      COGNITO_USER_POOL_ID: `\${${ids.pool}}`,
      DATABASE_IAM_AUTH: 'true',
      ERASE_IDP_USER: 'false',
      S3_BUCKET: `\${${ids.bucket}}`,
    });
    expect(s.json.Resources[ids.events]!.Properties!.Runtime).toBe('nodejs22.x');
  });
});

describe('alarms', () => {
  it('one alarm per signal, each notifying the topic on alarm and on recovery', () => {
    const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    const signal = (a: Record<string, unknown>) => {
      const dims = (a.Dimensions as { Name: string; Value: unknown }[] | undefined) ?? [];
      const fn = dims.find((d) => d.Name === 'FunctionName');
      return `${a.Namespace}/${a.MetricName}${fn ? `@${render(fn.Value)}` : ''}`;
    };
    expect(alarms.map(signal).sort()).toEqual(
      [
        `AWS/Lambda/Errors@\${${ids.postConfirmation}}`,
        `AWS/Lambda/Throttles@\${${ids.postConfirmation}}`,
        `AWS/Lambda/Errors@\${${ids.preToken}}`,
        `AWS/Lambda/Throttles@\${${ids.preToken}}`,
        `AWS/Lambda/Errors@\${${ids.events}}`,
        'ProfileService/PostConfirmationErrorLogs',
        'ProfileService/PreTokenGenerationErrorLogs',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        'AWS/ApplicationELB/HTTPCode_Target_5XX_Count',
        'AWS/ApplicationELB/HTTPCode_ELB_5XX_Count',
        'AWS/ApplicationELB/UnHealthyHostCount',
        'AWS/RDS/CPUUtilization',
        'AWS/RDS/DatabaseConnections',
        'AWS/RDS/FreeStorageSpace',
      ].sort(),
    );
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: ids.topic }]);
      expect(alarm.OKActions).toEqual([{ Ref: ids.topic }]);
    }
    const dlq = alarms.find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')!;
    expect(dlq).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarms.find((a) => a.MetricName === 'FreeStorageSpace')).toMatchObject({ ComparisonOperator: 'LessThanThreshold' });
  });

  it('a scheduled operations task that exits non-zero is reported to the topic', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: {
          clusterArn: [{ 'Fn::GetAtt': [ids.cluster, 'Arn'] }],
          group: [`family:${OPS_FAMILY}`],
          lastStatus: ['STOPPED'],
          containers: { exitCode: [{ 'anything-but': 0 }] },
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: ids.topic } })],
    });
  });

  it("the trigger log metric counts the handlers' ERROR lines (they swallow failures so sign-in goes on)", () => {
    s.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.level = "ERROR" }',
      LogGroupName: { Ref: Match.stringLikeRegexp('^IdentityPostConfirmationLogs') },
      MetricTransformations: [Match.objectLike({ MetricNamespace: 'ProfileService', MetricName: 'PostConfirmationErrorLogs', MetricValue: '1' })],
    });
    s.template.hasResourceProperties('AWS::SNS::Topic', Match.objectLike({ DisplayName: 'Profile Service alarms' }));
  });
});

function assetOf(construct: Parameters<typeof logicalId>[1]): string {
  const fn = s.json.Resources[logicalId(s.stack, construct)]!;
  const key = (fn.Properties!.Code as { S3Key: string }).S3Key;
  return readFileSync(join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'), 'utf8');
}

/** Bare module specifiers the bundle still imports (everything else is inside it). */
function imports(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/^import [^'"]*from ["']([^"']+)["']|^import ["']([^"']+)["']/gm)) found.add(m[1] ?? m[2]!);
  // (Not `[require("…")]`: the AWS SDK quotes that in an error message.)
  for (const m of code.matchAll(/(?<!\[)\brequire\(["']([^"'./][^"']*)["']\)/g)) found.add(m[1]!);
  return [...found].filter((name) => !name.startsWith('node:')).sort();
}

/** The Lambda assets esbuild wrote: ESM with the banner, importing only built-ins and the AWS SDK clients the runtime ships. */
describe('Lambda bundles (esbuild, as scripts/bundle-lambdas.mjs)', () => {
  it('the triggers: ESM with the banner, nothing external but built-ins, the RDS signer bundled', () => {
    for (const fn of [s.stack.identity.postConfirmation, s.stack.identity.preTokenGeneration]) {
      const code = assetOf(fn);
      expect(code.startsWith(LAMBDA_BUNDLING.banner)).toBe(true);
      expect(code).toMatch(/^export \{[^}]*\bhandler\b/m);
      const external = imports(code).filter((name) => !/^(fs|path|os|crypto|net|tls|dns|events|stream|util|url|http|https|zlib|buffer|string_decoder|child_process|assert|querystring|process|worker_threads|perf_hooks|async_hooks|timers|readline|http2|module|console|v8|vm)(\/.*)?$/.test(name));
      // pg-native is only required inside a try/catch that pg never reaches.
      expect(external.filter((name) => name !== 'pg-native')).toEqual([]);
      expect(code).toContain('rds-db'); // the signer's service name: it is in the bundle
    }
  });

  it('cognito-events leaves exactly the runtime-provided AWS SDK clients external', () => {
    const external = imports(assetOf(s.stack.cognitoEvents.function)).filter((name) => name.startsWith('@aws-sdk/'));
    expect(external).toEqual(LAMBDA_BUNDLING.external.filter((name) => name.startsWith('@aws-sdk/')).sort());
  });

  it('the migration runner bundles its ECS client (deploy-time code does not rely on the runtime)', () => {
    const code = assetOf(s.stack.api.migrations.onEvent);
    expect(imports(code).filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
    expect(code).toMatch(/^export \{[^}]*\bonEvent\b/m);
  });
});
