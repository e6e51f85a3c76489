import { DescribeTasksCommand, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { createMigrationRunner, type EcsPort, type MigrationProperties } from '../../infra/lambda/migration-runner.js';

const properties: MigrationProperties = {
  Cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/profile',
  TaskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/profile-service-migrate:7',
  ContainerName: 'migrate',
  Subnets: ['subnet-a', 'subnet-b'],
  SecurityGroups: ['sg-tasks'],
  LogGroup: 'ProfileService-ServicemigrateLogs',
};
const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/profile/0123456789abcdef';

/** An ECS double (no local server offers the ECS API): records the commands, answers with the next canned response. */
function fakeEcs(...responses: Awaited<ReturnType<EcsPort['send']>>[]) {
  const sent: (RunTaskCommand | DescribeTasksCommand)[] = [];
  const ecs: EcsPort = {
    async send(command) {
      sent.push(command);
      const next = responses.shift();
      if (!next) throw new Error('unexpected call');
      return next;
    },
  };
  return { ecs, sent };
}

const stopped = (exitCode: number | undefined, extra: Partial<Task> = {}): Task => ({
  taskArn: TASK,
  lastStatus: 'STOPPED',
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  containers: [{ name: 'migrate', exitCode }],
  ...extra,
});

describe('migration runner (custom resource)', () => {
  it('Create and Update start the migration task on Fargate in the private subnets, without a public IP', async () => {
    for (const RequestType of ['Create', 'Update'] as const) {
      const { ecs, sent } = fakeEcs({ tasks: [{ taskArn: TASK }] });
      const result = await createMigrationRunner(ecs).onEvent({ RequestType, ResourceProperties: properties });
      expect(result).toEqual({ PhysicalResourceId: 'profile-service-migrations', Data: { TaskArn: TASK } });
      expect(sent).toHaveLength(1);
      expect(sent[0]).toBeInstanceOf(RunTaskCommand);
      expect(sent[0]!.input).toMatchObject({
        cluster: properties.Cluster,
        taskDefinition: properties.TaskDefinition,
        launchType: 'FARGATE',
        count: 1,
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-tasks'], assignPublicIp: 'DISABLED' } },
      });
    }
  });

  it('a task that cannot start fails the deployment with ECS\'s reason', async () => {
    const { ecs } = fakeEcs({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no capacity' }] });
    await expect(createMigrationRunner(ecs).onEvent({ RequestType: 'Update', ResourceProperties: properties })).rejects.toThrow(
      /could not start the migration task: RESOURCE:ENI \(no capacity\)/,
    );
  });

  it('waits while the task runs, succeeds on exit code 0', async () => {
    const { ecs, sent } = fakeEcs({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING' }] }, { tasks: [{ taskArn: TASK, lastStatus: 'RUNNING' }] }, { tasks: [stopped(0)] });
    const runner = createMigrationRunner(ecs);
    const event = { RequestType: 'Create' as const, ResourceProperties: properties, Data: { TaskArn: TASK } };
    expect(await runner.isComplete(event)).toEqual({ IsComplete: false });
    expect(await runner.isComplete(event)).toEqual({ IsComplete: false });
    expect(await runner.isComplete(event)).toEqual({ IsComplete: true, Data: { TaskArn: TASK, ExitCode: '0' } });
    expect(sent.every((c) => c instanceof DescribeTasksCommand && c.input.cluster === properties.Cluster && c.input.tasks?.[0] === TASK)).toBe(true);
  });

  it('a non-zero exit, or a task that never ran its container, fails the deployment and names the log group', async () => {
    const event = { RequestType: 'Update' as const, ResourceProperties: properties, Data: { TaskArn: TASK } };
    await expect(createMigrationRunner(fakeEcs({ tasks: [stopped(1)] }).ecs).isComplete(event)).rejects.toThrow(
      /migrations failed: .*exit code 1; its output is in the log group ProfileService-ServicemigrateLogs/,
    );
    const pullFailed = stopped(undefined, { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: image not found' });
    await expect(createMigrationRunner(fakeEcs({ tasks: [pullFailed] }).ecs).isComplete(event)).rejects.toThrow(/TaskFailedToStart: CannotPullContainerError.*exit code none/);
    await expect(createMigrationRunner(fakeEcs({ tasks: [], failures: [{ reason: 'MISSING' }] }).ecs).isComplete(event)).rejects.toThrow(/not found: MISSING/);
  });

  it('Delete does nothing: migrations are not undone', async () => {
    const { ecs, sent } = fakeEcs();
    const runner = createMigrationRunner(ecs);
    const event = { RequestType: 'Delete' as const, PhysicalResourceId: 'profile-service-migrations', ResourceProperties: properties };
    expect(await runner.onEvent(event)).toEqual({ PhysicalResourceId: 'profile-service-migrations' });
    expect(await runner.isComplete(event)).toEqual({ IsComplete: true });
    expect(sent).toEqual([]);
  });
});
