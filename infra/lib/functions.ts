import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root (infra/lib/ is two levels down). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface LambdaBundling {
  handlers: string[];
  external: string[];
  banner: string;
}

/** The handlers, externals and ESM banner shared with scripts/bundle-lambdas.mjs. */
export const LAMBDA_BUNDLING: LambdaBundling = JSON.parse(readFileSync(`${REPO_ROOT}scripts/lambda-bundling.json`, 'utf8'));

export interface BundledFunctionProps {
  /** Entry file, relative to the repository root. */
  entry: string;
  /** Exported function name; default `handler`. */
  handler?: string;
  description: string;
  timeout: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  /** Placed in the VPC's private subnets with these security groups when given. */
  vpc?: { vpc: ec2.IVpc; securityGroups: ec2.ISecurityGroup[] };
  logRetention: logs.RetentionDays;
  /** Packages esbuild must leave out; default: the Lambda handlers' list. Empty bundles everything. */
  externalModules?: string[];
}

/**
 * A Node.js 22 function bundled by the repository's own esbuild, exactly as
 * scripts/bundle-lambdas.mjs bundles dist/lambda (ESM, createRequire banner,
 * the same externals), with its own log group and retention. arm64: the
 * bundles are plain JavaScript (pg-native is never loaded).
 */
export function bundledFunction(scope: Construct, id: string, props: BundledFunctionProps): NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
  return new NodejsFunction(scope, id, {
    entry: `${REPO_ROOT}${props.entry}`,
    handler: props.handler ?? 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: `${REPO_ROOT}package-lock.json`,
    description: props.description,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? 512,
    timeout: props.timeout,
    environment: props.environment ?? {},
    logGroup,
    ...(props.vpc ? { vpc: props.vpc.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: props.vpc.securityGroups } : {}),
    bundling: {
      format: OutputFormat.ESM,
      target: 'node22',
      platform: 'node',
      mainFields: ['module', 'main'],
      banner: LAMBDA_BUNDLING.banner,
      externalModules: props.externalModules ?? LAMBDA_BUNDLING.external,
      sourceMap: false,
      minify: false,
      forceDockerBundling: false,
    },
  });
}

