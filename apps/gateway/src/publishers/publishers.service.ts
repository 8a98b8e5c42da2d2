import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type CreatePublisherRequest,
  type CreatedPublisher,
  ErrorCode,
  type Publisher,
  getProject,
} from '@flightdeck/contracts';
import { generateNatsPassword, hashNatsPassword } from '@flightdeck/messaging';
import { ApiBus } from '../http/api-bus';
import { ApiException } from '../http/api.exception';
import { publisherNatsUser, toPublisher } from './publisher-credentials';
import { PublisherNatsUsers } from './publisher-nats-users.service';
import { PublisherEntity } from './publisher.entity';
import { PublishersRepository } from './publishers.repository';
import { PUBLISHER_SETTINGS, type PublisherSettings } from './publishers.settings';

// External build-event publishers: a NATS credential per publisher, pinned to one project.
@Injectable()
export class PublishersService {
  private readonly logger = new Logger(PublishersService.name);

  constructor(
    private readonly api: ApiBus,
    private readonly publishers: PublishersRepository,
    private readonly natsUsers: PublisherNatsUsers,
    private readonly ds: DataSource,
    @Inject(PUBLISHER_SETTINGS) private readonly settings: PublisherSettings,
  ) {}

  async create(projectId: string, req: CreatePublisherRequest): Promise<CreatedPublisher> {
    this.assertManaged();
    await this.api.call(getProject, { projectId }); // project/not-found answers 404
    const password = generateNatsPassword();
    const id = randomUUID();
    const entity: PublisherEntity = {
      id,
      projectId,
      name: req.name,
      natsUser: publisherNatsUser(id),
      passwordHash: hashNatsPassword(password),
      createdAt: new Date(),
      revokedAt: null,
    };
    await this.ds.transaction(async (tx) => {
      await this.publishers.insert(tx, entity);
      await this.syncOrFail(() => this.natsUsers.syncIn(tx));
    });
    this.logger.log({ publisherId: id, projectId, natsUser: entity.natsUser }, 'publisher created');
    await this.natsUsers.waitUntilAccepted(entity.natsUser, password);
    const publisher = toPublisher(entity, this.settings.publicServers);
    return { ...publisher, revokedAt: null, nats: { ...publisher.nats, password } };
  }

  async list(projectId: string): Promise<{ items: Publisher[] }> {
    this.assertManaged();
    const rows = await this.publishers.ofProject(projectId);
    return { items: rows.map((p) => toPublisher(p, this.settings.publicServers)) };
  }

  // Revoking twice answers the first revocation. nats-server drops the user on reload: its open
  // connections are closed and new ones refused.
  async revoke(projectId: string, publisherId: string): Promise<Publisher> {
    this.assertManaged();
    const revoked = await this.ds.transaction(async (tx) => {
      const found = await this.publishers.findInProject(tx, projectId, publisherId);
      if (!found) throw new ApiException(ErrorCode.PublisherNotFound, `no publisher ${publisherId} in project ${projectId}`);
      if (found.revokedAt) return found;
      const at = new Date();
      await this.publishers.markRevoked(tx, found.id, at);
      await this.syncOrFail(() => this.natsUsers.syncIn(tx));
      return { ...found, revokedAt: at };
    });
    this.logger.log({ publisherId, projectId, natsUser: revoked.natsUser }, 'publisher revoked');
    return toPublisher(revoked, this.settings.publicServers);
  }

  private assertManaged() {
    if (!this.natsUsers.managed)
      throw new ApiException(
        ErrorCode.PublisherUnsupported,
        "this gateway does not manage the NATS server's users (FLIGHTDECK_NATS_AUTH_DIR is unset): " +
          'create publisher users in your NATS configuration (see the README, external publishers)',
      );
  }

  private async syncOrFail(sync: () => Promise<void>) {
    try {
      await sync();
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'cannot update nats-server users');
      throw new ApiException(ErrorCode.ServiceUnavailable, `cannot update nats-server's users: ${(e as Error).message}`);
    }
  }
}
