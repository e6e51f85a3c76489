import { DescribeTasksCommand, ECSClient, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';

/**
 * The custom resource behind "migrations before a new version serves"
 * (infra/lib/migrations.ts), for the CDK Provider framework: `onEvent` starts
 * the migration task (`profile-service migrate`) on Create and Update,
 * `isComplete` polls it until it stops and fails the deployment unless the
 * container exited 0. CloudFormation sends an Update whenever the task
 * definition changes (a new image tag is a new revision), and the API
 * service depends on this resource, so it rolls out only after success.
 */

export interface MigrationProperties {
  Cluster: string;
  TaskDefinition: string;
  ContainerName: string;
  Subnets: string[];
  SecurityGroups: string[];
  /** Named in the error so the operator knows where to look. */
  LogGroup: string;
}

interface ProviderEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  PhysicalResourceId?: string;
  ResourceProperties: MigrationProperties & { ServiceToken?: string };
  /** From onEvent's response (isComplete only). */
  Data?: { TaskArn?: string };
}

export interface EcsPort {
  send(command: RunTaskCommand | DescribeTasksCommand): Promise<{ tasks?: Task[]; failures?: { arn?: string; reason?: string; detail?: string }[] }>;
}

const PHYSICAL_ID = 'profile-service-migrations';

export function createMigrationRunner(ecs: EcsPort) {
  async function onEvent(event: ProviderEvent): Promise<{ PhysicalResourceId: string; Data?: { TaskArn: string } }> {
    if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID };
    const p = event.ResourceProperties;
    const out = await ecs.send(
      new RunTaskCommand({
        cluster: p.Cluster,
        taskDefinition: p.TaskDefinition,
        launchType: 'FARGATE',
        count: 1,
        startedBy: 'cloudformation-migrations',
        networkConfiguration: { awsvpcConfiguration: { subnets: p.Subnets, securityGroups: p.SecurityGroups, assignPublicIp: 'DISABLED' } },
      }),
    );
    const taskArn = out.tasks?.[0]?.taskArn;
    if (!taskArn) {
      const reasons = (out.failures ?? []).map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
      throw new Error(`could not start the migration task: ${reasons || 'RunTask returned no task'}`);
    }
    console.log(JSON.stringify({ message: 'migration task started', taskArn, taskDefinition: p.TaskDefinition }));
    return { PhysicalResourceId: PHYSICAL_ID, Data: { TaskArn: taskArn } };
  }

  async function isComplete(event: ProviderEvent): Promise<{ IsComplete: boolean; Data?: Record<string, string> }> {
    if (event.RequestType === 'Delete') return { IsComplete: true };
    const p = event.ResourceProperties;
    const taskArn = event.Data?.TaskArn;
    if (!taskArn) throw new Error('no migration task to wait for (onEvent returned no TaskArn)');
    const out = await ecs.send(new DescribeTasksCommand({ cluster: p.Cluster, tasks: [taskArn] }));
    const task = out.tasks?.[0];
    if (!task) throw new Error(`migration task ${taskArn} not found: ${(out.failures ?? []).map((f) => f.reason).join('; ')}`);
    if (task.lastStatus !== 'STOPPED') return { IsComplete: false };
    const container = task.containers?.find((c) => c.name === p.ContainerName);
    if (container?.exitCode === 0) {
      console.log(JSON.stringify({ message: 'migrations applied', taskArn }));
      return { IsComplete: true, Data: { TaskArn: taskArn, ExitCode: '0' } };
    }
    throw new Error(
      `migrations failed: task ${taskArn} stopped (${task.stopCode ?? 'unknown'}: ${task.stoppedReason ?? 'no reason'}), ` +
        `container "${p.ContainerName}" exit code ${container?.exitCode ?? 'none'}${container?.reason ? ` (${container.reason})` : ''}; ` +
        `its output is in the log group ${p.LogGroup}. The new version was not rolled out.`,
    );
  }

  return { onEvent, isComplete };
}

// Module scope: one client per container. maxAttempts covers ECS throttling during busy deployments.
const runner = createMigrationRunner(new ECSClient({ maxAttempts: 5 }) as EcsPort);
export const onEvent = runner.onEvent;
export const isComplete = runner.isComplete;
