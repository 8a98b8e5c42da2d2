import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Artifact, DeployJob, DeploymentPhase, DeploymentProvider, DeploymentStatus, DeploymentTrigger } from '@flightdeck/contracts';

const optionalTime = { type: 'timestamptz', nullable: true } as const;
// bigint comes back from pg as a string
const bigintAsNumber = {
  to: (v: number | null) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

@Entity({ schema: 'orchestrator', name: 'deployments' })
export class DeploymentEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'project_id' }) projectId!: string;
  @Column('uuid', { name: 'environment_id' }) environmentId!: string;
  @Column('text', { name: 'source_ref' }) sourceRef!: string;
  @Column('text', { name: 'commit_sha', nullable: true }) commitSha!: string | null;
  @Column('text', { name: 'commit_message', nullable: true }) commitMessage!: string | null;
  @Column('text', { name: 'commit_author', nullable: true }) commitAuthor!: string | null;
  @Column('text', { nullable: true }) message!: string | null;
  @Column('text', { name: 'triggered_by' }) triggeredBy!: string;
  @Column('text') trigger!: DeploymentTrigger;
  @Column('text') provider!: DeploymentProvider;
  @Column('text') status!: DeploymentStatus;
  @Column('text') phase!: DeploymentPhase;
  @Column('real') progress!: number;
  @Column('int') attempt!: number;
  @Column('uuid', { name: 'parent_deployment_id', nullable: true }) parentDeploymentId!: string | null;
  @Column('uuid', { name: 'rollback_target_id', nullable: true }) rollbackTargetId!: string | null;
  @Column('jsonb', { nullable: true }) artifact!: Artifact | null;
  @Column('text', { nullable: true }) url!: string | null;
  @Column('text', { name: 'preview_url', nullable: true }) previewUrl!: string | null;
  @Column('text', { name: 'error_code', nullable: true }) errorCode!: string | null;
  @Column('text', { name: 'error_message', nullable: true }) errorMessage!: string | null;
  @Column('jsonb') metadata!: Record<string, unknown>;
  @Column('text', { name: 'idempotency_key', nullable: true }) idempotencyKey!: string | null;
  @Column({ name: 'cancel_requested_at', ...optionalTime }) cancelRequestedAt!: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column({ name: 'queued_at', ...optionalTime }) queuedAt!: Date | null;
  @Column({ name: 'started_at', ...optionalTime }) startedAt!: Date | null;
  @Column({ name: 'finished_at', ...optionalTime }) finishedAt!: Date | null;
  @Column('bigint', { name: 'duration_ms', nullable: true, transformer: bigintAsNumber }) durationMs!: number | null;
  // the order of triggers in the environment's queue (an identity, assigned by the database)
  @Column({ type: 'bigint', name: 'queue_seq', nullable: true, insert: false, update: false, transformer: bigintAsNumber }) queueSeq!: number | null;
  // the current attempt's job: sent when its turn comes, sent again (next attempt) when its builder was lost
  @Column('jsonb', { name: 'deploy_job', nullable: true }) deployJob!: DeployJob | null;
  // written by the database's clock (repository), never by a replica's: deadlines count from them
  @Column({ name: 'dispatched_at', ...optionalTime }) dispatchedAt!: Date | null;
  @Column({ name: 'heartbeat_at', ...optionalTime }) heartbeatAt!: Date | null;
}
