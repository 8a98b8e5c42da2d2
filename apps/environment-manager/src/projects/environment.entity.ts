import { Column, Entity, PrimaryColumn } from 'typeorm';

/** EnvironmentProvider as TypeORM can write it (its settings: any JSON object) */
export type StoredProvider = { name: string; settings: object };
import type { BuildSettings, ConcurrencyPolicy, Environment, EnvironmentLimits, ProtectionRules } from '@flightdeck/contracts';

@Entity({ schema: 'environments', name: 'environments' })
export class EnvironmentEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'project_id' }) projectId!: string;
  @Column('text') name!: string;
  @Column('text') type!: Environment['type'];
  @Column('boolean', { name: 'is_default' }) isDefault!: boolean;
  // written only after parsing with the contract schema; `{}`: the operator's defaults
  @Column('jsonb') limits!: EnvironmentLimits;
  @Column('text', { name: 'concurrency_policy' }) concurrencyPolicy!: ConcurrencyPolicy;
  // where its deployments are released, settings parsed with the provider's schema; null: the internal provider
  @Column('jsonb', { nullable: true }) provider!: StoredProvider | null;
  // written only after parsing with the contract schema; `{}`: everything detected by the builder
  @Column('jsonb', { name: 'build_settings', default: () => "'{}'" }) buildSettings!: BuildSettings;
  // the branch whose pushes deploy here (null: the default) and whether they do
  @Column('text', { nullable: true }) branch!: string | null;
  @Column('boolean', { name: 'auto_deploy', default: true }) autoDeploy!: boolean;
  // the branch and tag patterns triggers may deploy from (parsed with the contract's AllowedRefs); null: any
  @Column('text', { name: 'allowed_refs', array: true, nullable: true }) allowedRefs!: string[] | null;
  // approvals, wait timer, freeze windows, required results (parsed with the contract's ProtectionRules, crons checked); null: none
  @Column('jsonb', { nullable: true }) protection!: ProtectionRules | null;
  // its custom domains (each one also a row of environment_domains, which keeps it this environment's only)
  @Column('text', { array: true, default: () => "'{}'" }) domains!: string[];
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  // soft delete: set, the environment is out of every list and lookup, its rows and history kept
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}
