import type { ProjectAccess, ProjectRole, TokenScope } from '@flightdeck/contracts';
import { decideProjectAccess } from './access-rules';
import type { ApiTokenEntity } from './api-token.entity';
import type { Caller } from './caller';
import type { UserEntity } from './user.entity';

const user = (scopes: TokenScope[], platformAdmin = false): Caller => ({
  kind: 'user',
  user: { id: 'u', name: 'ann', platformAdmin, createdAt: new Date() } as UserEntity,
  token: { scopes } as ApiTokenEntity,
});
const ALL: TokenScope[] = ['read', 'deploy', 'admin'];
const verdict = (caller: Caller, role: ProjectRole | undefined, access: ProjectAccess) => {
  const v = decideProjectAccess(caller, role, access);
  return v.allowed ? 'allowed' : v.reason;
};

describe('decideProjectAccess', () => {
  it.each([
    // role, access, expected
    [undefined, 'read', 'hidden'],
    [undefined, 'owner', 'hidden'],
    ['viewer', 'read', 'allowed'],
    ['viewer', 'deploy', 'forbidden'],
    ['deployer', 'deploy', 'allowed'],
    ['deployer', 'admin', 'forbidden'],
    ['admin', 'admin', 'allowed'],
    ['admin', 'owner', 'forbidden'],
    ['owner', 'owner', 'allowed'],
  ] as const)('a %s asking for %s: %s', (role, access, expected) => {
    expect(verdict(user(ALL), role, access)).toBe(expected);
  });

  it('never lets a token do more than its scopes, whatever the role', () => {
    expect(verdict(user(['read']), 'owner', 'read')).toBe('allowed');
    expect(verdict(user(['read']), 'owner', 'deploy')).toBe('forbidden');
    expect(verdict(user(['deploy']), 'owner', 'deploy')).toBe('allowed');
    expect(verdict(user(['deploy']), 'owner', 'admin')).toBe('forbidden');
    expect(verdict(user(['deploy']), 'owner', 'owner')).toBe('forbidden');
    expect(verdict(user(['admin']), 'owner', 'read')).toBe('allowed');
  });

  it('lets a platform admin act as owner of any project, within its token, and the bootstrap token everywhere', () => {
    expect(verdict(user(ALL, true), undefined, 'owner')).toBe('allowed');
    expect(verdict(user(['read'], true), undefined, 'deploy')).toBe('forbidden');
    expect(verdict({ kind: 'admin-token' }, undefined, 'owner')).toBe('allowed');
  });
});
