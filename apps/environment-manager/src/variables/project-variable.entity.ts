import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { VariableTarget } from '@flightdeck/contracts';

// A project-wide variable, inherited by every environment of the project; stored like VariableEntity.
@Entity({ schema: 'environments', name: 'project_variables' })
export class ProjectVariableEntity {
  @PrimaryColumn('uuid', { name: 'project_id' }) projectId!: string;
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
