import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ schema: 'environments', name: 'projects' })
export class ProjectEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'repository_url' }) repositoryUrl!: string;
  // normalizeRepositoryUrl(repositoryUrl): how webhook deliveries find their projects
  @Column('text', { name: 'repository_key' }) repositoryKey!: string;
  @Column('text', { name: 'default_branch' }) defaultBranch!: string;
  // null: the operator's default limit applies
  @Column('integer', { name: 'triggers_per_minute', nullable: true }) triggersPerMinute!: number | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  // soft delete: set, the project and the environments deleted with it are out of every lookup
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}
