import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../../infra/lib/settings.js';

const read = (context: Record<string, unknown>) => readSettings((key) => context[key]);
function problems(context: Record<string, unknown>): readonly string[] {
  try {
    read(context);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as SettingsError).problems;
  }
  return [];
}

describe('readSettings (CDK context)', () => {
  it('needs only the image tag; the rest has production defaults', () => {
    expect(read({ imageTag: 'abc123' })).toEqual({
      imageRepository: 'profile-service',
      imageTag: 'abc123',
      cpuArchitecture: 'x86_64',
      dbEngine: 'postgres',
      dbInstanceClass: 't4g.medium',
      dbAllocatedStorageGiB: 50,
      dbMaxAllocatedStorageGiB: 200,
      dbBackupRetentionDays: 14,
      readReplica: false,
      natGateways: 2,
      apiCpu: 512,
      apiMemoryMiB: 1024,
      apiDesiredCount: 2,
      apiMinCount: 2,
      apiMaxCount: 10,
      apiCpuTargetPercent: 60,
      apiRequestsPerTarget: 1000,
      certificateArn: null,
      corsOrigins: [],
      eraseIdpUser: false,
      authGroupRoles: null,
      smsMfa: true,
      alarmEmail: null,
      alarmTopicArn: null,
      createTrail: false,
      logRetentionDays: 90,
      triggerProvisionedConcurrency: 0,
      mediaCleanupSchedule: 'cron(30 3 * * ? *)',
      reconcileSchedule: 'cron(0 4 * * ? *)',
    });
    expect(problems({})).toEqual([expect.stringMatching(/^imageTag is required/)]);
  });

  it('accepts strings (-c key=value) and typed values (cdk.json) alike', () => {
    const fromCli = read({ imageTag: 't', readReplica: 'true', dbEngine: 'aurora', apiMaxCount: '20', corsOrigins: 'https://a.example, https://b.example' });
    const fromJson = read({ imageTag: 't', readReplica: true, dbEngine: 'aurora', apiMaxCount: 20, corsOrigins: ['https://a.example', 'https://b.example'] });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli).toMatchObject({ readReplica: true, apiMaxCount: 20, corsOrigins: ['https://a.example', 'https://b.example'] });
  });

  it('lists every bad value in one error', () => {
    const found = problems({
      imageTag: 'bad tag',
      dbEngine: 'mysql',
      dbBackupRetentionDays: '3',
      apiCpu: '300',
      certificateArn: 'not-an-arn',
      corsOrigins: 'https://ok.example,https://bad.example/path',
      eraseIdpUser: 'yes',
      logRetentionDays: '45',
      mediaCleanupSchedule: 'daily',
    });
    expect(found).toHaveLength(9);
    for (const key of ['imageTag', 'dbEngine', 'dbBackupRetentionDays', 'apiCpu', 'certificateArn', 'corsOrigins', 'eraseIdpUser', 'logRetentionDays', 'mediaCleanupSchedule']) {
      expect(found.some((p) => p.startsWith(key))).toBe(true);
    }
  });

  it('refuses combinations that cannot work', () => {
    expect(problems({ imageTag: 't', readReplica: 'true' })).toEqual([expect.stringMatching(/^readReplica=true needs dbEngine=aurora/)]);
    expect(problems({ imageTag: 't', apiMinCount: '5', apiDesiredCount: '2' })).toEqual([expect.stringMatching(/apiMinCount <= apiDesiredCount/)]);
    expect(problems({ imageTag: 't', dbAllocatedStorageGiB: '300', dbMaxAllocatedStorageGiB: '200' })).toEqual([expect.stringMatching(/^dbMaxAllocatedStorageGiB/)]);
    expect(problems({ imageTag: 't', alarmEmail: 'a@b.example', alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms' })).toEqual([
      expect.stringMatching(/^alarmEmail and alarmTopicArn are alternatives/),
    ]);
  });
});
