import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { connect } from 'nats';
import { DataSource, type EntityManager } from 'typeorm';
import { readPlatformNatsUsers, reloadNatsServer, writeNatsUsersFile } from '@flightdeck/messaging';
import { publisherInboxPrefix, publisherNatsEntry } from './publisher-credentials';
import { PublishersRepository } from './publishers.repository';
import { PUBLISHER_SETTINGS, type PublisherSettings } from './publishers.settings';


// Keeps nats-server's users.conf equal to the platform's users plus the active publishers, when
// this gateway manages it (FLIGHTDECK_NATS_AUTH_DIR: one dir per node of a cluster, each node
// reloaded): at start-up, and inside every create/revoke transaction, so a failure to update NATS
// rolls the change back.
@Injectable()
export class PublisherNatsUsers implements OnApplicationBootstrap {
  private readonly logger = new Logger(PublisherNatsUsers.name);

  constructor(
    @Inject(PUBLISHER_SETTINGS) private readonly settings: PublisherSettings,
    private readonly publishers: PublishersRepository,
    private readonly ds: DataSource,
  ) {}

  get managed(): boolean {
    return this.settings.authDirs.length > 0;
  }

  async onApplicationBootstrap() {
    if (!this.managed) return;
    // a publisher created or revoked while this gateway was down, or a nats-server restarted from
    // an older users.conf: the database is the truth
    await this.ds.transaction((tx) => this.syncIn(tx));
  }

  // The advisory lock orders concurrent changes (and gateway instances): each one writes the file
  // from what the previous committed, so none overwrites another's user.
  async syncIn(tx: EntityManager): Promise<void> {
    if (!this.managed) throw new Error('NATS users are not managed by this gateway');
    await this.publishers.lockNatsUsers(tx);
    const active = await this.publishers.active(tx);
    for (const dir of this.settings.authDirs) {
      // unchanged (a restart with nothing new): no reload, which would briefly disturb new connections
      if (!writeNatsUsersFile(dir, [...readPlatformNatsUsers(dir), ...active.map(publisherNatsEntry)])) continue;
      const pid = reloadNatsServer(dir);
      this.logger.log({ publishers: active.length, natsServerPid: pid, dir }, 'NATS users rewritten, nats-server reloading');
    }
  }

  // nats-server reloads asynchronously after SIGHUP: a credential handed out should already work,
  // on every node a publisher may reach.
  async waitUntilAccepted(user: string, pass: string, timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (const server of this.settings.servers) {
      if (!(await this.acceptedBy(server, user, pass, deadline))) return false;
    }
    return true;
  }

  private async acceptedBy(server: string, user: string, pass: string, deadline: number): Promise<boolean> {
    for (;;) {
      try {
        const nc = await connect({
          servers: [server],
          // one node's answer: a connection must not wander to another that already has the user
          ignoreClusterUpdates: true,
          user,
          pass,
          inboxPrefix: publisherInboxPrefix(user),
          reconnect: false,
          timeout: 1_000,
          name: 'gateway-publisher-check',
        });
        await nc.close();
        return true;
      } catch (e) {
        if (Date.now() > deadline) {
          this.logger.warn({ user, err: (e as Error).message }, 'nats-server did not accept a new publisher in time');
          return false;
        }
        await sleep(50);
      }
    }
  }
}
