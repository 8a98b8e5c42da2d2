import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MESSAGE_WORDS } from '../log-lines/log-words';
import { dayOfPartition } from './partition-days';

// the key logs.ensure_log_lines_partition locks too: creating and dropping days never overlap
const MAINTENANCE_LOCK = `hashtext('logs.log_lines partitions')`;

export interface LogStorage {
  /** the oldest day that has a partition (YYYY-MM-DD) */
  oldestDay?: string;
  /** every partition of logs.log_lines, its indexes and the default partition included */
  bytes: number;
  partitions: number;
}

const DEFAULT_PARTITION = 'log_lines_default';

// one replica at a time builds words indexes (a session lock: CREATE INDEX CONCURRENTLY runs outside a transaction)
const WORDS_LOCK = `hashtext('logs.log_lines words')`;

export interface RetentionRun {
  droppedDays: string[];
  /** rows of the default partition older than the retention */
  deletedStrays: number;
  /** lines of the dropped days that were kept (moved to the default partition) */
  keptLines: number;
  /** lines of projects with a shorter retention of their own, deleted before their day's drop */
  deletedEarly: number;
}

// The deployments whose lines outlive the operator's retention, each from when ($1: now): an
// environment's current release and a pinned deployment, whole; a deployment of a project with its
// own retention, its lines younger than that (when it is the shorter one, nothing older than the
// day dropped is kept).
const KEPT_FROM = `select deployment_id, '-infinity'::timestamptz as keep_from from logs.environment_releases
  union all
  select deployment_id, '-infinity'::timestamptz from logs.pinned_deployments
  union all
  select d.deployment_id, $1::timestamptz - r.days * interval '1 day' from logs.deployments d join logs.project_retention r on r.project_id = d.project_id`;

// The only code that knows how logs.log_lines is cut into days (see the migration
// 1764600000000-partition-log-lines-by-day).
@Injectable()
export class LogPartitionsRepository {
  constructor(private readonly ds: DataSource) {}

  /** creates the partition of each UTC day (YYYY-MM-DD) that has none; returns the days created */
  async ensureDays(days: readonly string[]): Promise<string[]> {
    const created: string[] = [];
    // one transaction per day: the advisory lock inside is held only while that day is made
    for (const day of days) {
      const [row] = await this.ds.query(`select logs.ensure_log_lines_partition($1::date) as created`, [day]);
      if (row.created) created.push(day);
    }
    return created;
  }

  /**
   * drops the partitions of the days before `firstKept` and deletes the default partition's rows
   * older than it, but for the lines kept (KEPT_FROM): those move to the default partition first;
   * a project with a shorter retention of its own loses its older lines too. Undefined when another
   * replica holds the maintenance lock (it is doing this).
   */
  async dropBefore(firstKept: string, now: Date = new Date()): Promise<RetentionRun | undefined> {
    return this.ds.transaction(async (tx) => {
      const [{ locked }] = await tx.query(`select pg_try_advisory_xact_lock(${MAINTENANCE_LOCK}) as locked`);
      if (!locked) return undefined;
      // dropping a partition waits for the inserts in flight; never make them wait long behind it
      await tx.query(`set local lock_timeout = '10s'`);
      const rows: { name: string }[] = await tx.query(
        `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'logs.log_lines'::regclass`,
      );
      const expired = rows.map((r) => ({ name: r.name, day: dayOfPartition(r.name) })).filter((p) => p.day !== undefined && p.day < firstKept);
      let keptLines = 0;
      for (const p of expired) {
        // read while the day is still attached (inserts go on), then move in a short locked step
        await tx.query(`create temp table kept_lines on commit drop as select l.* from logs."${p.name}" l join (${KEPT_FROM}) k on k.deployment_id = l.deployment_id where l.ts >= k.keep_from`, [now]);
        await tx.query(`alter table logs.log_lines detach partition logs."${p.name}"`);
        const [{ n }] = await tx.query(`with moved as (insert into logs.log_lines select * from kept_lines on conflict do nothing returning 1) select count(*)::int as n from moved`);
        keptLines += n;
        await tx.query(`drop table logs."${p.name}"`);
        await tx.query(`drop table kept_lines`);
      }
      const [, deletedStrays] = await tx.query(
        `delete from logs.log_lines_default l where ts < ($2::date)::timestamp at time zone 'UTC'
         and not exists (select 1 from (${KEPT_FROM}) k where k.deployment_id = l.deployment_id and l.ts >= k.keep_from)`,
        [now, firstKept],
      );
      // a project that keeps its lines for less than the operator does: its older lines go now
      const [, deletedEarly] = await tx.query(
        `delete from logs.log_lines l using logs.deployments d, logs.project_retention r
         where d.deployment_id = l.deployment_id and r.project_id = d.project_id and l.ts < $1::timestamptz - r.days * interval '1 day'
           and l.deployment_id not in (select deployment_id from logs.environment_releases union all select deployment_id from logs.pinned_deployments)`,
        [now],
      );
      return { droppedDays: expired.map((p) => p.day!).sort(), deletedStrays: deletedStrays ?? 0, keptLines, deletedEarly: deletedEarly ?? 0 };
    });
  }

  /**
   * gives each day partition before `today` (YYYY-MM-DD), and the default one, the index of its
   * lines' words, for the project search; today's stays without (COPY writes there, and the index would slow it). Built
   * concurrently, so a late line for that day is never blocked. Returns the days indexed, or
   * undefined when another replica is at it.
   */
  async indexWords(today: string): Promise<string[] | undefined> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(`select pg_try_advisory_lock(${WORDS_LOCK}) as locked`);
      if (!locked) return undefined;
      try {
        const rows: { name: string; valid: boolean | null }[] = await runner.query(
          `select c.relname as name, x.indisvalid as valid
           from pg_inherits i join pg_class c on c.oid = i.inhrelid
           left join pg_class ix on ix.relname = c.relname || '_words' and ix.relnamespace = c.relnamespace
           left join pg_index x on x.indexrelid = ix.oid
           where i.inhparent = 'logs.log_lines'::regclass`,
        );
        // the default partition too: written rarely (strays, kept lines), and kept lines are old
        const ended = (name: string) => name === DEFAULT_PARTITION || (dayOfPartition(name) ?? today) < today;
        const due = rows.filter((r) => r.valid !== true && ended(r.name)).sort((a, b) => (a.name < b.name ? 1 : -1));
        for (const r of due) {
          // a build that failed half-way (a restart) leaves an invalid index behind: built again
          if (r.valid === false) await runner.query(`drop index concurrently if exists logs."${r.name}_words"`);
          await runner.query(`create index concurrently "${r.name}_words" on logs."${r.name}" using gin ((${MESSAGE_WORDS}))`);
        }
        return due.map((r) => dayOfPartition(r.name) ?? 'default').sort();
      } finally {
        await runner.query(`select pg_advisory_unlock(${WORDS_LOCK})`);
      }
    } finally {
      await runner.release();
    }
  }

  /** one row per deployment in logs.deployment_volume, where ingest appends one per transaction */
  async compactVolume(): Promise<void> {
    await this.ds.query(
      `with parts as (delete from logs.deployment_volume returning *)
       insert into logs.deployment_volume select deployment_id, sum(lines), sum(bytes) from parts group by deployment_id`,
    );
  }

  async storage(): Promise<LogStorage> {
    const rows: { name: string; bytes: string }[] = await this.ds.query(
      `select c.relname as name, pg_total_relation_size(c.oid)::text as bytes
       from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'logs.log_lines'::regclass`,
    );
    const days = rows.flatMap((r) => dayOfPartition(r.name) ?? []).sort();
    return { oldestDay: days[0], bytes: rows.reduce((n, r) => n + Number(r.bytes), 0), partitions: days.length };
  }
}
