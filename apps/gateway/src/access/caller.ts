import type { Actor, TokenScope } from '@flightdeck/contracts';
import type { ApiTokenEntity } from './api-token.entity';
import type { UserEntity } from './user.entity';

// Who called, as the bearer guard found it: the bootstrap admin token of the configuration, or a
// user's API token (whose scopes bound what the user's roles allow).
export type Caller = { kind: 'admin-token' } | { kind: 'user'; user: UserEntity; token: ApiTokenEntity };

export const ADMIN_ACTOR: Actor = { id: 'admin', kind: 'token' };

/** who a caller is in the records of other services (triggeredBy, schedules' createdBy) */
export const actorOf = (caller: Caller): Actor => (caller.kind === 'admin-token' ? { ...ADMIN_ACTOR } : { id: caller.user.id, kind: 'user' });

/** may do everything on every project (still within its token's scopes) */
export const isPlatformAdmin = (caller: Caller): boolean => caller.kind === 'admin-token' || caller.user.platformAdmin;

export const scopesOf = (caller: Caller): readonly TokenScope[] => (caller.kind === 'admin-token' ? ['read', 'deploy', 'admin'] : caller.token.scopes);
