import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { PublisherEntity } from './publisher.entity';

// Every query on publishers. Methods taking `tx` run in the caller's transaction.
@Injectable()
export class PublishersRepository {
  constructor(private readonly ds: DataSource) {}

  ofProject(projectId: string): Promise<PublisherEntity[]> {
    return this.ds.getRepository(PublisherEntity).find({ where: { projectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findInProject(tx: EntityManager, projectId: string, id: string): Promise<PublisherEntity | null> {
    return tx.getRepository(PublisherEntity).findOne({ where: { id, projectId }, lock: { mode: 'pessimistic_write' } });
  }

  /** held until `tx` ends: one writer of nats-server's users file at a time, across gateway instances */
  async lockNatsUsers(tx: EntityManager): Promise<void> {
    await tx.query(`select pg_advisory_xact_lock(hashtext('gateway.publishers.nats-users'))`);
  }

  /** the publishers whose NATS users exist: as `tx` sees them, its own changes included */
  active(tx: EntityManager = this.ds.manager): Promise<PublisherEntity[]> {
    return tx.getRepository(PublisherEntity).find({ where: { revokedAt: IsNull() }, order: { natsUser: 'ASC' } });
  }

  async insert(tx: EntityManager, p: PublisherEntity): Promise<void> {
    await tx.getRepository(PublisherEntity).insert(p);
  }

  async markRevoked(tx: EntityManager, id: string, at: Date): Promise<void> {
    await tx.getRepository(PublisherEntity).update({ id }, { revokedAt: at });
  }
}
