import { z } from 'zod';
import { Id, IsoDate, listOf } from '../common.schema';

// A member's role on a project, weakest first: each role may do what the ones before it may.
export const ProjectRole = z.enum(['viewer', 'deployer', 'admin', 'owner']);
export type ProjectRole = z.infer<typeof ProjectRole>;

// What a token may be used for, weakest first; a token never does more than its user's role allows.
export const TokenScope = z.enum(['read', 'deploy', 'admin']);
export type TokenScope = z.infer<typeof TokenScope>;

// What a route asks of the caller on the project that owns the resource it touches.
export const ProjectAccess = z.enum(['read', 'deploy', 'admin', 'owner']);
export type ProjectAccess = z.infer<typeof ProjectAccess>;

// A slug, like a project name: it shows in audit lines and member lists.
export const UserName = z
  .string()
  .min(1)
  .max(60)
  .regex(/^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/, 'lowercase letters, digits and inner . _ - only');

export const User = z.object({
  id: Id,
  name: UserName,
  /** may do everything on every project, as the bootstrap admin token does */
  platformAdmin: z.boolean(),
  createdAt: IsoDate,
});
export type User = z.infer<typeof User>;

export const CreateUserRequest = z.object({ name: UserName, platformAdmin: z.boolean().default(false) }).strict();
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const ApiTokenView = z.object({
  id: Id,
  userId: Id,
  name: z.string(),
  /** the token's first characters, to recognise it in a list; the token itself is shown once */
  prefix: z.string(),
  scopes: z.array(TokenScope),
  expiresAt: IsoDate.nullable(),
  lastUsedAt: IsoDate.nullable(),
  revokedAt: IsoDate.nullable(),
  createdAt: IsoDate,
});
export type ApiTokenView = z.infer<typeof ApiTokenView>;

export const MAX_TOKEN_DAYS = 3650;

export const CreateTokenRequest = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(TokenScope).min(1).max(3),
    /** days until it stops working; absent: it never expires */
    expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).optional(),
    /** a platform admin may issue a token for another user */
    userId: Id.optional(),
  })
  .strict();
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;

/** the answer to creating a token: the only time `token` is ever shown */
export const CreatedToken = ApiTokenView.extend({ token: z.string() });
export type CreatedToken = z.infer<typeof CreatedToken>;

export const TokenListQuery = z.object({ userId: Id.optional() }).strict();

export const ProjectMember = z.object({
  projectId: Id,
  userId: Id,
  userName: UserName,
  role: ProjectRole,
  createdAt: IsoDate,
  updatedAt: IsoDate,
});
export type ProjectMember = z.infer<typeof ProjectMember>;
export const ProjectMemberList = listOf(ProjectMember);

export const SetMemberBody = z.object({ role: ProjectRole }).strict();
export type SetMemberBody = z.infer<typeof SetMemberBody>;

/** who is calling: GET /me */
export const Caller = z.object({
  kind: z.enum(['admin-token', 'user']),
  user: User.optional(),
  token: ApiTokenView.optional(),
});
export type Caller = z.infer<typeof Caller>;
