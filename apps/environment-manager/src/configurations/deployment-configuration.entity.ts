import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ConfiguredVariable } from '@flightdeck/contracts';

@Entity({ schema: 'environments', name: 'deployment_configurations' })
export class DeploymentConfigurationEntity {
  @PrimaryColumn('uuid', { name: 'deployment_id' }) deploymentId!: string;
  @Column('uuid', { name: 'environment_id' }) environmentId!: string;
  @Column('timestamptz', { name: 'recorded_at' }) recordedAt!: Date;
  @Column('jsonb') variables!: ConfiguredVariable[];
  @Column('jsonb') settings!: Record<string, unknown>;
}
