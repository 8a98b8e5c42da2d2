import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ProjectRole } from '@flightdeck/contracts';

@Entity({ schema: 'gateway', name: 'project_members' })
export class ProjectMemberEntity {
  @PrimaryColumn('uuid', { name: 'project_id' }) projectId!: string;
  @PrimaryColumn('uuid', { name: 'user_id' }) userId!: string;
  @Column('text') role!: ProjectRole;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
