import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiTokensService, tokenHash } from '../access/api-tokens.service';
import type { Caller } from '../access/caller';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

export type Verified = { ok: true; caller: Caller } | { ok: false; reason: string };

// Bearer tokens, for HTTP and the Socket.IO handshake alike: the bootstrap admin token of the
// configuration, or a user's API token.
@Injectable()
export class TokenVerifier {
  private readonly adminDigest: Buffer;

  constructor(
    @Inject(ADMIN_TOKEN) adminToken: string,
    private readonly tokens: ApiTokensService,
  ) {
    this.adminDigest = tokenHash(adminToken);
  }

  async verify(token: string | undefined | null): Promise<Verified> {
    if (!token) return { ok: false, reason: 'missing bearer token: send Authorization: Bearer <token>' };
    if (timingSafeEqual(tokenHash(token), this.adminDigest)) return { ok: true, caller: { kind: 'admin-token' } };
    const found = await this.tokens.check(token);
    return found.ok ? { ok: true, caller: { kind: 'user', user: found.user, token: found.token } } : found;
  }

  /** `Authorization: Bearer <token>` → token */
  static fromHeader(header: string | undefined): string | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    return m?.[1];
  }
}
