import type { QueryRunner } from 'typeorm';

// The outbox and the processed-message ledger every service needs; called from each service's
// first migration so the tables live in that service's own schema.
export async function createMessagingTables(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`
    create table "${schema}".outbox (
      id uuid primary key,
      subject text not null,
      type text not null,
      payload jsonb not null,
      created_at timestamptz not null default now(),
      published_at timestamptz,
      attempts int not null default 0,
      last_error text
    )`);
  await q.query(`create index outbox_unpublished_idx on "${schema}".outbox (created_at) where published_at is null`);
  await q.query(`
    create table "${schema}".processed_messages (
      consumer text not null,
      message_id text not null,
      processed_at timestamptz not null default now(),
      primary key (consumer, message_id)
    )`);
}

export async function dropMessagingTables(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`drop table if exists "${schema}".processed_messages`);
  await q.query(`drop table if exists "${schema}".outbox`);
}
