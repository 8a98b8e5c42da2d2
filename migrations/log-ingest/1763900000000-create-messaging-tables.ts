import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTables, dropMessagingTables } from '@flightdeck/persistence';

export class CreateMessagingTables1763900000000 implements MigrationInterface {
  name = 'CreateMessagingTables1763900000000';

  async up(q: QueryRunner) {
    await createMessagingTables(q, 'logs');
  }

  async down(q: QueryRunner) {
    await dropMessagingTables(q, 'logs');
  }
}
