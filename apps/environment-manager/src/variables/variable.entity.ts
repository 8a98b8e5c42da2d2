import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { VariableTarget } from '@flightdeck/contracts';

// A sensitive value is only ever stored sealed (ciphertext, iv, authTag, and the id of the key that
// sealed it); a plain one in valuePlain.
@Entity({ schema: 'environments', name: 'variables' })
export class VariableEntity {
  @PrimaryColumn('uuid', { name: 'environment_id' }) environmentId!: string;
  @PrimaryColumn('text') key!: string;
  @Column('boolean') sensitive!: boolean;
  @Column('text') target!: VariableTarget;
  @Column('text', { name: 'value_plain', nullable: true }) valuePlain!: string | null;
  @Column('bytea', { nullable: true }) ciphertext!: Buffer | null;
  @Column('bytea', { nullable: true }) iv!: Buffer | null;
  @Column('bytea', { name: 'auth_tag', nullable: true }) authTag!: Buffer | null;
  @Column('text', { name: 'key_id', nullable: true }) keyId!: string | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
