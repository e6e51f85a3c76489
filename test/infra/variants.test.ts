import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DB_USER } from '../../infra/lib/database.js';
import { SettingsError } from '../../infra/lib/settings.js';
import { synth } from './synth.js';
import { grantsOf, logicalId, render, resourcesOfType, roleIdOf, single } from './template.js';

/** Context parameters switch real parts of the deployment; each variant is synthesized once (validation rules are run in stack.test.ts). */
const fast = { '@aws-cdk/core:validateAgainstDefaultRules': false };

function apiEnvironment(json: ReturnType<typeof synth>['json']): Record<string, string> {
  const [, task] = single(json, 'AWS::ECS::TaskDefinition', ([, r]) => r.Properties!.Family === 'profile-service-api');
  const [container] = task!.Properties!.ContainerDefinitions as { Environment: { Name: string; Value: unknown }[] }[];
  return Object.fromEntries(container!.Environment.map((e) => [e.Name, render(e.Value)]));
}

describe('dbEngine=aurora', () => {
  it('with readReplica: an encrypted, protected Aurora PostgreSQL 16 cluster, a reader in the writer\'s stead on failover, and a read-only proxy endpoint as DATABASE_READ_URL', () => {
    const { template, json, stack } = synth({ ...fast, dbEngine: 'aurora', readReplica: 'true', dbInstanceClass: 'r7g.large' });
    template.resourceCountIs('AWS::RDS::DBCluster', 1);
    template.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        Engine: 'aurora-postgresql',
        EngineVersion: Match.stringLikeRegexp('^16\\.'),
        StorageEncrypted: true,
        KmsKeyId: Match.anyValue(),
        DeletionProtection: true,
        BackupRetentionPeriod: 14,
      }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
    // Writer and reader: Multi-AZ by a second instance; neither reachable from the internet.
    const instances = resourcesOfType(json, 'AWS::RDS::DBInstance').map(([, r]) => r.Properties!);
    expect(instances).toHaveLength(2);
    for (const instance of instances) expect(instance).toMatchObject({ Engine: 'aurora-postgresql', DBInstanceClass: 'db.r7g.large', PubliclyAccessible: false });
    template.hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: true, Auth: [Match.objectLike({ IAMAuth: 'REQUIRED' })] });
    template.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { TargetRole: 'READ_ONLY' });

    const [endpointId] = single(json, 'AWS::RDS::DBProxyEndpoint');
    const env = apiEnvironment(json);
    expect(env.DATABASE_READ_URL).toBe(`postgres://${DB_USER}@\${${endpointId}.Endpoint}:5432/profile`);
    expect(env.DATABASE_URL).toBe(`postgres://${DB_USER}@\${${logicalId(stack, stack.database.proxy)}.Endpoint}:5432/profile`);
    // The read endpoint is the same proxy: the one rds-db:connect grant covers it.
    const [, task] = single(json, 'AWS::ECS::TaskDefinition', ([, r]) => r.Properties!.Family === 'profile-service-api');
    expect(grantsOf(json, roleIdOf(task!, 'TaskRoleArn')).filter((g) => g.startsWith('rds-db:connect'))).toHaveLength(1);
    // Aurora's storage grows by itself: the storage alarm watches local (temporary) storage.
    const metrics = resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!.MetricName);
    expect(metrics).toContain('FreeLocalStorage');
    expect(metrics).not.toContain('FreeStorageSpace');
  });

  it('without readReplica: the reader is only the failover target; no read endpoint, no DATABASE_READ_URL', () => {
    const { template, json } = synth({ ...fast, dbEngine: 'aurora' });
    template.resourceCountIs('AWS::RDS::DBCluster', 1);
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
    expect(apiEnvironment(json).DATABASE_READ_URL).toBeUndefined();
  });
});

describe('dbEngine=postgres', () => {
  it('refuses readReplica: RDS Proxy cannot front an RDS read replica (ADR 0004)', () => {
    expect(() => synth({ ...fast, readReplica: 'true' })).toThrow(SettingsError);
    expect(() => synth({ ...fast, readReplica: 'true' })).toThrow(/readReplica=true needs dbEngine=aurora/);
  });

  it('takes the instance class and storage from context', () => {
    const { template } = synth({ ...fast, dbInstanceClass: 'm7g.large', dbAllocatedStorageGiB: '100', dbMaxAllocatedStorageGiB: '500', dbBackupRetentionDays: '30' });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.m7g.large',
      AllocatedStorage: '100',
      MaxAllocatedStorage: 500,
      BackupRetentionPeriod: 30,
      StorageType: 'gp3',
    });
  });
});

describe('other switches', () => {
  it('certificateArn: HTTPS on 443 with a modern TLS policy, HTTP redirected', () => {
    const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';
    const { template } = synth({ ...fast, certificateArn });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certificateArn }],
      SslPolicy: Match.stringLikeRegexp('^ELBSecurityPolicy-TLS13'),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) })],
    });
    expect(render(template.toJSON().Outputs.ApiUrl.Value)).toMatch(/^https:\/\//);
  });

  it('eraseIdpUser: the API, cognito-events and the operations task may also delete the Cognito user of this pool', () => {
    const { json, stack } = synth({ ...fast, eraseIdpUser: 'true' });
    const pool = logicalId(stack, stack.identity.userPool);
    const deleteUser = `cognito-idp:AdminDeleteUser on \${${pool}.Arn}`;
    expect(grantsOf(json, roleIdOf(json.Resources[logicalId(stack, stack.cognitoEvents.function)]!))).toContain(deleteUser);
    for (const family of ['profile-service-api', 'profile-service-ops']) {
      const [, task] = single(json, 'AWS::ECS::TaskDefinition', ([, r]) => r.Properties!.Family === family);
      expect(grantsOf(json, roleIdOf(task!, 'TaskRoleArn'))).toContain(deleteUser);
    }
    const [, migrate] = single(json, 'AWS::ECS::TaskDefinition', ([, r]) => r.Properties!.Family === 'profile-service-migrate');
    expect(grantsOf(json, roleIdOf(migrate!, 'TaskRoleArn')).some((g) => g.startsWith('cognito-idp'))).toBe(false);
    expect(apiEnvironment(json).ERASE_IDP_USER).toBe('true');
  });

  it('corsOrigins: presigned uploads from those origins only; authGroupRoles reach the API and the Pre Token Generation trigger', () => {
    const { template, json, stack } = synth({ ...fast, corsOrigins: 'https://app.example.com,https://admin.example.com', authGroupRoles: 'admins=admin' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({
            AllowedOrigins: ['https://app.example.com', 'https://admin.example.com'],
            AllowedMethods: Match.arrayWith(['PUT']),
            AllowedHeaders: ['content-type', 'x-amz-server-side-encryption'],
          }),
        ],
      },
    });
    expect(apiEnvironment(json).AUTH_GROUP_ROLES).toBe('admins=admin');
    const preToken = json.Resources[logicalId(stack, stack.identity.preTokenGeneration)]!.Properties!;
    expect((preToken.Environment as { Variables: Record<string, string> }).Variables.AUTH_GROUP_ROLES).toBe('admins=admin');
  });

  it('createTrail: a write-only management-event trail into its own private bucket; alarmEmail subscribes to the topic', () => {
    const { template } = synth({ ...fast, createTrail: 'true', alarmEmail: 'ops@example.com' });
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsLogging: true,
      EnableLogFileValidation: true,
      EventSelectors: [Match.objectLike({ IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' })],
    });
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.allResourcesProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('triggerProvisionedConcurrency: Cognito invokes a `live` alias with warm instances', () => {
    const { template, json, stack } = synth({ ...fast, triggerProvisionedConcurrency: '2' });
    template.resourceCountIs('AWS::Lambda::Alias', 2);
    template.allResourcesProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 } });
    const [, pool] = single(json, 'AWS::Cognito::UserPool');
    const config = pool!.Properties!.LambdaConfig as { PostConfirmation: unknown; PreTokenGenerationConfig: { LambdaArn: unknown; LambdaVersion: string } };
    const aliases = resourcesOfType(json, 'AWS::Lambda::Alias').map(([id]) => `\${${id}}`);
    expect(aliases).toContain(render(config.PostConfirmation));
    expect(aliases).toContain(render(config.PreTokenGenerationConfig.LambdaArn));
    expect(config.PreTokenGenerationConfig.LambdaVersion).toBe('V2_0');
    expect(stack.identity.postConfirmation.runtime.name).toBe('nodejs22.x');
  });
});
