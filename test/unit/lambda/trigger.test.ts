import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { provisionInput, triggerUser, type TriggerPool } from '../../../src/lambda/trigger.js';

/** Post Confirmation as AWS Cognito sends it (version "1", a real region and pool id; personal values replaced). */
const AWS_EVENT: PostConfirmationTriggerEvent = JSON.parse(
  readFileSync(new URL('../../fixtures/cognito/post-confirmation-aws.json', import.meta.url), 'utf8'),
);
const AWS_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE1';

const accepts = (source: string) => source.startsWith('PostConfirmation_');

function check(event: unknown, pool: TriggerPool) {
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const user = triggerUser(event as PostConfirmationTriggerEvent, { pool, accepts, name: 'Post Confirmation' }, logger);
  return { user, logger };
}

function withPool(userPoolId: unknown, region: unknown = AWS_EVENT.region) {
  return { ...structuredClone(AWS_EVENT), userPoolId, region };
}

function withoutRegion() {
  const event: Partial<PostConfirmationTriggerEvent> = structuredClone(AWS_EVENT);
  delete event.region;
  return event;
}

describe('triggerUser with a configured pool', () => {
  const pool: TriggerPool = { issuer: 'https://issuer.example/configured', userPoolId: AWS_EVENT.userPoolId };

  it('keys the user on the configured issuer, whatever the event says about its region', () => {
    const { user } = check(withPool(AWS_EVENT.userPoolId, 'us-east-1'), pool);
    expect(user).toMatchObject({ issuer: 'https://issuer.example/configured', subject: AWS_EVENT.request.userAttributes.sub });
  });

  it('refuses every other pool, even a well-formed one (logged as an error, nothing personal)', () => {
    const { user, logger } = check(withPool('eu-west-1_Other'), pool);
    expect(user).toBeNull();
    expect(logger.error).toHaveBeenCalledOnce();
    expect(JSON.stringify(logger.error.mock.calls)).not.toMatch(/grace|example\.com/);
  });
});

describe('triggerUser with issuerFromEvent (TRIGGER_ISSUER_FROM_EVENT=true, ADR 0003)', () => {
  const pool: TriggerPool = { issuerFromEvent: true };

  it('derives exactly the issuer the API derives from COGNITO_USER_POOL_ID', () => {
    const { user, logger } = check(structuredClone(AWS_EVENT), pool);
    expect(user?.issuer).toBe(AWS_ISSUER);
    expect(provisionInput(user!, 'post_confirmation')).toEqual({
      issuer: AWS_ISSUER,
      subject: AWS_EVENT.request.userAttributes.sub,
      email: 'grace@example.com',
      emailVerified: true,
      source: 'post_confirmation',
    });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('uses the pool in the event, so two pools never share an issuer', () => {
    expect(check(withPool('eu-west-1_SecondPool'), pool).user?.issuer).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_SecondPool');
    expect(check(withPool('us-east-2_Abc', 'us-east-2'), pool).user?.issuer).toBe('https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Abc');
  });

  it.each([
    ['a pool id of another region than the event', withPool('us-east-1_EXAMPLE1')],
    ['no region in the event', withoutRegion()],
    ["cognito-local's pool (not an AWS pool id)", withPool('local_FAKEPOOL', 'local')],
    ['a pool id that is not a string', withPool(42)],
    ['no pool id', withPool(undefined)],
    ['a pool id that would change the issuer URL', withPool('eu-west-1_A/../../evil.example')],
  ])('refuses %s', (_, event) => {
    const { user, logger } = check(event, pool);
    expect(user).toBeNull();
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it('still checks the trigger source and the sub', () => {
    expect(check({ ...structuredClone(AWS_EVENT), triggerSource: 'PreSignUp_SignUp' }, pool).user).toBeNull();
    const noSub = structuredClone(AWS_EVENT);
    delete (noSub.request.userAttributes as Record<string, string>).sub;
    expect(check(noSub, pool).user).toBeNull();
  });
});
