import { describe, expect, it } from 'vitest';
import { rolesForGroups } from '../../../src/access/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

describe('AUTH_GROUP_ROLES', () => {
  it('parses group=role pairs; a group may map to several roles', () => {
    const config = loadConfig({ AUTH_GROUP_ROLES: ' admins=admin, support-team=support,admins=support ,' });
    expect(config.access.groupRoles).toEqual([
      { group: 'admins', role: 'admin' },
      { group: 'support-team', role: 'support' },
      { group: 'admins', role: 'support' },
    ]);
    expect(loadConfig({}).access.groupRoles).toEqual([]);
  });

  it('reports every bad entry at once', () => {
    try {
      loadConfig({ AUTH_GROUP_ROLES: 'admins, =admin,ops=Admin,a=b=c' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.filter((p) => p.startsWith('AUTH_GROUP_ROLES'))).toHaveLength(4);
    }
  });

  it('maps only the groups the token carries', () => {
    const mapping = [
      { group: 'admins', role: 'admin' },
      { group: 'support-team', role: 'support' },
      { group: 'admins', role: 'support' },
    ];
    expect(rolesForGroups(['admins'], mapping)).toEqual(['admin', 'support']);
    expect(rolesForGroups(['support-team', 'other'], mapping)).toEqual(['support']);
    expect(rolesForGroups([], mapping)).toEqual([]);
  });
});
