import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ schema: 'orchestrator', name: 'deployment_schedules' })
export class DeploymentScheduleEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'environment_id' }) environmentId!: string;
  @Column('uuid', { name: 'project_id' }) projectId!: string;
  @Column('text') cron!: string;
  @Column('text') timezone!: string;
  @Column('text', { name: 'source_ref' }) sourceRef!: string;
  @Column('boolean') enabled!: boolean;
  @Column('timestamptz', { name: 'next_run_at', nullable: true }) nextRunAt!: Date | null;
  @Column('timestamptz', { name: 'last_run_at', nullable: true }) lastRunAt!: Date | null;
  @Column('uuid', { name: 'last_deployment_id', nullable: true }) lastDeploymentId!: string | null;
  @Column('text', { name: 'last_error_code', nullable: true }) lastErrorCode!: string | null;
  @Column('text', { name: 'last_error_message', nullable: true }) lastErrorMessage!: string | null;
  @Column('int') firings!: number;
  @Column('text', { name: 'created_by' }) createdBy!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
