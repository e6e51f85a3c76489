import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { Settings } from './settings.js';

/** The master user: the proxy logs in as it with the Secrets Manager secret; clients, with IAM tokens (ADR 0004). */
export const DB_USER = 'profile_service';
export const DB_NAME = 'profile';
const PORT = 5432;

export interface DatabaseProps {
  vpc: ec2.IVpc;
  /** Security groups whose members may connect to the proxy (and only to the proxy). */
  clients: ec2.ISecurityGroup[];
  settings: Pick<Settings, 'dbEngine' | 'dbInstanceClass' | 'dbAllocatedStorageGiB' | 'dbMaxAllocatedStorageGiB' | 'dbBackupRetentionDays' | 'readReplica'>;
  logRetention: logs.RetentionDays;
}

/**
 * PostgreSQL 16 on RDS — a Multi-AZ instance, or an Aurora cluster with a
 * writer and a reader in another zone — encrypted with its own KMS key, in
 * isolated subnets, reachable only from RDS Proxy. The proxy requires TLS and
 * IAM authentication from clients and logs in to the database with the
 * rotated Secrets Manager secret.
 */
export class Database extends Construct {
  readonly proxy: rds.DatabaseProxy;
  /** DATABASE_URL: the proxy, the user, no password (DATABASE_IAM_AUTH=true). */
  readonly url: string;
  /** DATABASE_READ_URL: the proxy's read-only endpoint (Aurora with readReplica), else null. */
  readonly readUrl: string | null;
  readonly metrics: { cpu: cloudwatch.IMetric; connections: cloudwatch.IMetric; freeStorage: cloudwatch.IMetric; freeStorageThresholdBytes: number };
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { vpc, settings } = props;
    this.key = new kms.Key(this, 'Key', {
      description: 'Profile Service database storage, snapshots and logs',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      description: 'Profile Service PostgreSQL: only RDS Proxy and secret rotation connect',
      allowAllOutbound: false,
    });
    const proxySecurityGroup = new ec2.SecurityGroup(this, 'ProxySecurityGroup', { vpc, description: 'Profile Service RDS Proxy' });
    const isolated = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    const privateSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const instanceType = new ec2.InstanceType(settings.dbInstanceClass);
    const credentials = rds.Credentials.fromGeneratedSecret(DB_USER);
    const retention = Duration.days(settings.dbBackupRetentionDays);

    let target: rds.ProxyTarget;
    let secret: rds.DatabaseInstance['secret'];
    if (settings.dbEngine === 'aurora') {
      const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_13 });
      const instance = { instanceType, publiclyAccessible: false, autoMinorVersionUpgrade: true };
      const cluster = new rds.DatabaseCluster(this, 'Cluster', {
        engine,
        writer: rds.ClusterInstance.provisioned('Writer', instance),
        // Multi-AZ: the reader is the failover target (and serves DATABASE_READ_URL with readReplica).
        readers: [rds.ClusterInstance.provisioned('Reader', { ...instance, promotionTier: 1 })],
        vpc,
        vpcSubnets: isolated,
        securityGroups: [securityGroup],
        credentials,
        defaultDatabaseName: DB_NAME,
        port: PORT,
        storageEncrypted: true,
        storageEncryptionKey: this.key,
        backup: { retention },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.SNAPSHOT,
        copyTagsToSnapshot: true,
        cloudwatchLogsExports: ['postgresql'],
        cloudwatchLogsRetention: props.logRetention,
        parameterGroup: new rds.ParameterGroup(this, 'ClusterParameters', { engine, parameters: { 'rds.force_ssl': '1' } }),
      });
      cluster.addRotationSingleUser({ automaticallyAfter: Duration.days(30), vpcSubnets: privateSubnets });
      target = rds.ProxyTarget.fromCluster(cluster);
      secret = cluster.secret;
      this.metrics = {
        cpu: cluster.metricCPUUtilization(),
        connections: cluster.metricDatabaseConnections(),
        // Aurora storage grows by itself; local storage (temporary files) is what can run out.
        freeStorage: cluster.metricFreeLocalStorage({ statistic: 'Minimum' }),
        freeStorageThresholdBytes: 2 * 1024 ** 3,
      };
    } else {
      const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_13 });
      const instance = new rds.DatabaseInstance(this, 'Instance', {
        engine,
        instanceType,
        vpc,
        vpcSubnets: isolated,
        securityGroups: [securityGroup],
        credentials,
        databaseName: DB_NAME,
        port: PORT,
        multiAz: true,
        publiclyAccessible: false,
        storageType: rds.StorageType.GP3,
        allocatedStorage: settings.dbAllocatedStorageGiB,
        maxAllocatedStorage: settings.dbMaxAllocatedStorageGiB,
        storageEncrypted: true,
        storageEncryptionKey: this.key,
        backupRetention: retention,
        deletionProtection: true,
        removalPolicy: RemovalPolicy.SNAPSHOT,
        copyTagsToSnapshot: true,
        autoMinorVersionUpgrade: true,
        cloudwatchLogsExports: ['postgresql'],
        cloudwatchLogsRetention: props.logRetention,
        parameterGroup: new rds.ParameterGroup(this, 'Parameters', { engine, parameters: { 'rds.force_ssl': '1' } }),
      });
      instance.addRotationSingleUser({ automaticallyAfter: Duration.days(30), vpcSubnets: privateSubnets });
      target = rds.ProxyTarget.fromInstance(instance);
      secret = instance.secret;
      this.metrics = {
        cpu: instance.metricCPUUtilization(),
        connections: instance.metricDatabaseConnections(),
        freeStorage: instance.metricFreeStorageSpace({ statistic: 'Minimum' }),
        freeStorageThresholdBytes: 10 * 1024 ** 3,
      };
    }

    this.proxy = new rds.DatabaseProxy(this, 'Proxy', {
      proxyTarget: target,
      secrets: [secret!],
      vpc,
      vpcSubnets: privateSubnets,
      securityGroups: [proxySecurityGroup],
      iamAuth: true,
      requireTLS: true,
      // Clients give up after their own connect timeout (1.5 s in Lambda, 2 s in the API).
      borrowTimeout: Duration.seconds(30),
      maxConnectionsPercent: 90,
      idleClientTimeout: Duration.minutes(30),
    });
    // The proxy's own ingress into the database group is added by DatabaseProxy.
    for (const client of props.clients) proxySecurityGroup.addIngressRule(client, ec2.Port.tcp(PORT), 'Profile Service clients');

    this.url = `postgres://${DB_USER}@${this.proxy.endpoint}:${PORT}/${DB_NAME}`;
    if (settings.readReplica) {
      const reader = this.proxy.addEndpoint('ReadOnly', {
        vpc,
        targetRole: rds.ProxyEndpointTargetRole.READ_ONLY,
        vpcSubnets: privateSubnets,
        securityGroups: [proxySecurityGroup],
      });
      this.readUrl = `postgres://${DB_USER}@${reader.endpoint}:${PORT}/${DB_NAME}`;
    } else {
      this.readUrl = null;
    }
  }

  /** `rds-db:connect` through the proxy as the service's user: the only database permission any role gets. */
  grantConnect(grantee: iam.IGrantable): void {
    this.proxy.grantConnect(grantee, DB_USER);
  }
}
