import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TokenScope } from '@flightdeck/contracts';

@Entity({ schema: 'gateway', name: 'api_tokens' })
export class ApiTokenEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('text') name!: string;
  @Column('text') prefix!: string;
  // SHA-256 of the token: the token itself is shown once and never stored
  @Column('bytea', { name: 'token_hash' }) tokenHash!: Buffer;
  @Column('text', { array: true }) scopes!: TokenScope[];
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt!: Date | null;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
