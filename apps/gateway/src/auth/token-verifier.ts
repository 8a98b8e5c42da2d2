import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@flightdeck/contracts';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

const digest = (s: string) => createHash('sha256').update(s).digest();

const ADMIN_ACTOR: Actor = { id: 'admin', kind: 'token' };

// Bearer tokens, for HTTP and the Socket.IO handshake alike. Today one admin token from
// configuration; per-user tokens and roles come later behind the same method.
@Injectable()
export class TokenVerifier {
  private readonly adminDigest: Buffer;

  constructor(@Inject(ADMIN_TOKEN) adminToken: string) {
    this.adminDigest = digest(adminToken);
  }

  verify(token: string | undefined | null): Actor | undefined {
    if (!token) return undefined;
    return timingSafeEqual(digest(token), this.adminDigest) ? { ...ADMIN_ACTOR } : undefined;
  }

  static isAdmin(actor: Actor): boolean {
    return actor.kind === ADMIN_ACTOR.kind && actor.id === ADMIN_ACTOR.id;
  }

  /** `Authorization: Bearer <token>` → token */
  static fromHeader(header: string | undefined): string | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    return m?.[1];
  }
}
