/**
 * The CloudTrail `eventName`s of cognito-idp calls the cognito-events handler
 * acts on. The CDK app's EventBridge rule matches exactly these, so the two
 * cannot drift apart (this module has no imports: infra/ loads it too).
 */
export const DELETE_EVENTS = ['AdminDeleteUser', 'DeleteUser'] as const;
export const UPDATE_EVENTS = ['AdminUpdateUserAttributes', 'UpdateUserAttributes', 'AdminConfirmSignUp'] as const;
export const ENABLE_EVENTS = ['AdminDisableUser', 'AdminEnableUser'] as const;

export const HANDLED_EVENT_NAMES: readonly string[] = [...DELETE_EVENTS, ...UPDATE_EVENTS, ...ENABLE_EVENTS];
