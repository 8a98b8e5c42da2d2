import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ schema: 'gateway', name: 'users' })
export class UserEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('boolean', { name: 'platform_admin' }) platformAdmin!: boolean;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
