import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { DeploymentPhase, DeploymentStatus } from '@flightdeck/contracts';

// The history of a deployment: every status change, and every phase change within a status
// (from_status = to_status), with its time, so stuck deployments and slow phases are visible.
@Entity({ schema: 'orchestrator', name: 'deployment_transitions' })
export class DeploymentTransitionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'deployment_id' }) deploymentId!: string;
  @Column('text', { name: 'from_status', nullable: true }) fromStatus!: DeploymentStatus | null;
  @Column('text', { name: 'to_status' }) toStatus!: DeploymentStatus;
  @Column('text') phase!: DeploymentPhase;
  @Column('real') progress!: number;
  @Column('timestamptz') at!: Date;
  @Column('text', { nullable: true }) reason!: string | null;
}
