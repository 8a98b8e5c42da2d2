import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type ApiTokenView, type CreatedToken, ErrorCode, type TokenScope } from '@flightdeck/contracts';
import { ApiException } from '../http/api.exception';
import { ApiTokenEntity } from './api-token.entity';
import { UserEntity } from './user.entity';

/** every API token starts so: recognisable in a leaked file or a secret scanner's rules */
export const TOKEN_PREFIX = 'fdt_';
const SHOWN_CHARACTERS = TOKEN_PREFIX.length + 8;
// a last-used time a minute old is good enough, and spares a write on every request
const LAST_USED_RESOLUTION_MS = 60_000;

export const tokenHash = (token: string) => createHash('sha256').update(token).digest();

export const toTokenView = (t: ApiTokenEntity): ApiTokenView => ({
  id: t.id,
  userId: t.userId,
  name: t.name,
  prefix: t.prefix,
  scopes: t.scopes,
  expiresAt: t.expiresAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
  createdAt: t.createdAt.toISOString(),
});

export type TokenCheck = { ok: true; user: UserEntity; token: ApiTokenEntity } | { ok: false; reason: string };

@Injectable()
export class ApiTokensService {
  private readonly logger = new Logger(ApiTokensService.name);

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async issue(user: UserEntity, req: { name: string; scopes: TokenScope[]; expiresInDays?: number }): Promise<CreatedToken> {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const [row]: { now: Date }[] = await this.ds.query('select now() as now');
    const entity: ApiTokenEntity = {
      id: randomUUID(),
      userId: user.id,
      name: req.name,
      prefix: token.slice(0, SHOWN_CHARACTERS),
      tokenHash: tokenHash(token),
      scopes: [...new Set(req.scopes)],
      expiresAt: req.expiresInDays ? new Date(row.now.getTime() + req.expiresInDays * 86_400_000) : null,
      lastUsedAt: null,
      revokedAt: null,
      createdAt: row.now,
    };
    await this.ds.getRepository(ApiTokenEntity).insert(entity);
    this.logger.log({ tokenId: entity.id, userId: user.id, scopes: entity.scopes }, 'API token issued');
    return { ...toTokenView(entity), token };
  }

  // One indexed read per request, no cache: a revoked token stops working at once.
  async check(token: string): Promise<TokenCheck> {
    if (!token.startsWith(TOKEN_PREFIX)) return { ok: false, reason: 'invalid token' };
    const rows: (ApiTokenEntity & { user: UserEntity; expired: boolean })[] = await this.ds.query(
      `select t.id, t.user_id as "userId", t.name, t.prefix, t.scopes, t.expires_at as "expiresAt", t.last_used_at as "lastUsedAt",
              t.revoked_at as "revokedAt", t.created_at as "createdAt", t.expires_at <= now() as expired,
              json_build_object('id', u.id, 'name', u.name, 'platformAdmin', u.platform_admin, 'createdAt', u.created_at) as "user"
         from gateway.api_tokens t join gateway.users u on u.id = t.user_id
        where t.token_hash = $1`,
      [tokenHash(token)],
    );
    const found = rows[0];
    if (!found) return { ok: false, reason: 'invalid token' };
    if (found.revokedAt) return { ok: false, reason: 'token revoked' };
    if (found.expired) return { ok: false, reason: 'token expired' };
    const { user, expired: _expired, ...entity } = found;
    if (!entity.lastUsedAt || Date.now() - entity.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      void this.ds
        .query('update gateway.api_tokens set last_used_at = now() where id = $1', [entity.id])
        .catch((e) => this.logger.warn({ tokenId: entity.id, err: (e as Error).message }, 'could not record last use'));
    }
    return { ok: true, user: { ...user, createdAt: new Date(user.createdAt) }, token: entity as ApiTokenEntity };
  }

  list(userId: string): Promise<ApiTokenEntity[]> {
    return this.ds.getRepository(ApiTokenEntity).find({ where: { userId }, order: { createdAt: 'ASC' } });
  }

  /** revokes one of the user's tokens (any user's when userId is undefined); revoking twice keeps the first time */
  async revoke(tokenId: string, userId: string | undefined): Promise<ApiTokenEntity> {
    const rows: ApiTokenEntity[][] = await this.ds.query(
      `update gateway.api_tokens set revoked_at = coalesce(revoked_at, now())
        where id = $1 and ($2::uuid is null or user_id = $2)
        returning id`,
      [tokenId, userId ?? null],
    );
    if (!rows[0]?.length) throw new ApiException(ErrorCode.TokenNotFound, `token ${tokenId} not found`);
    const token = await this.ds.getRepository(ApiTokenEntity).findOneByOrFail({ id: tokenId });
    this.logger.log({ tokenId, userId: token.userId }, 'API token revoked');
    return token;
  }
}
