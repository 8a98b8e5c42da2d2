import { Column, Entity, PrimaryColumn } from 'typeorm';

// A sensitive value is only ever stored sealed (ciphertext, iv, authTag); a plain one in valuePlain.
@Entity({ schema: 'environments', name: 'variables' })
export class VariableEntity {
  @PrimaryColumn('uuid', { name: 'environment_id' }) environmentId!: string;
  @PrimaryColumn('text') key!: string;
  @Column('boolean') sensitive!: boolean;
  @Column('text', { name: 'value_plain', nullable: true }) valuePlain!: string | null;
  @Column('bytea', { nullable: true }) ciphertext!: Buffer | null;
  @Column('bytea', { nullable: true }) iv!: Buffer | null;
  @Column('bytea', { name: 'auth_tag', nullable: true }) authTag!: Buffer | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
