import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, type EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { CommandRequest, LogBatch, LogLevelCounts, LogLine, LogLinePage, LogSearchHit, LogVolume, listLogLines, searchLogLines } from '@flightdeck/contracts';
import { COLUMNS, UNIQUE_VIOLATION, type Volume, copyText, distinctLines, storable, storableMessage, volumeOf } from './log-rows';
import { likePattern } from './log-words';

type LogQuery = CommandRequest<typeof listLogLines>;
type SearchQuery = CommandRequest<typeof searchLogLines>;


type LineRow = {
  seq: number | null;
  /** the timestamp as ISO 8601 in UTC, made by Postgres (parsing 1,000 dates here cost more) */
  at: string | null;
  level: LogLine['level'] | null;
  source: LogLine['source'] | null;
  step: string | null;
  message: string | null;
  max_seq: number | null;
};


// The key is (deployment, seq, ts) since the table is partitioned by day: a seq published again
// with another timestamp (a builder re-sending after a crash) is a second row. Readers take the
// one printed first: rows come ordered by (seq, ts), the primary key's order (a limit stops the
// index scans early; DISTINCT ON made Postgres sort every line of the deployment), and a repeated
// seq is dropped here. The next page starts after the last seq, so no copy comes back there. A
// filter (level, step, source, a search) looks at every copy; each seq still comes once.
// to_char's MS truncates to the millisecond, as Date.toISOString does
const ISO_TS = `to_char(l.ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const lineOf = (r: LineRow): LogLine => ({ seq: r.seq!, timestamp: r.at!, level: r.level!, source: r.source!, step: r.step!, message: r.message! });

const firstPerSeq = <T extends { seq: number | null }>(rows: T[]): T[] => rows.filter((r, i) => i === 0 || r.seq !== rows[i - 1].seq);

// The only code that knows the SQL of logs.log_lines.
@Injectable()
export class LogLinesRepository {
  constructor(private readonly ds: DataSource) {}

  /** inserts every line not stored yet and counts them in logs.deployment_volume; returns how many were new */
  async insert(tx: EntityManager, batches: readonly LogBatch[]): Promise<number> {
    const rows = distinctLines(batches);
    if (!rows.some((b) => b.lines.length)) return 0;
    const volume = await this.insertRows(tx, rows);
    await this.count(tx, volume);
    return [...volume.values()].reduce((n, v) => n + v.lines, 0);
  }

  private async insertRows(tx: EntityManager, rows: readonly LogBatch[]): Promise<Map<string, Volume>> {
    // Nearly every batch is new: COPY it straight in. A batch stored before (a redelivery, a
    // re-published batch, another replica's race) breaks the primary key; then, and only then, the
    // savepoint undoes the COPY and the rows go in again skipping those already stored.
    await tx.query('savepoint log_copy');
    try {
      await this.copy(tx, rows);
      await tx.query('release savepoint log_copy');
      return volumeOf(rows);
    } catch (e) {
      if ((e as { code?: string }).code !== UNIQUE_VIOLATION) throw e;
      await tx.query('rollback to savepoint log_copy');
      return this.insertMissing(tx, rows);
    }
  }

  private async copy(tx: EntityManager, rows: readonly LogBatch[]): Promise<void> {
    const client = (await tx.queryRunner!.connect()) as PoolClient;
    const stream = client.query(copyFrom(`copy logs.log_lines (${COLUMNS}) from stdin`));
    await pipeline(Readable.from(copyText(rows)), stream);
  }

  // One statement with seven array parameters, whatever the row count: no parameter limit, one
  // round trip; the primary key drops the lines stored before.
  private async insertMissing(tx: EntityManager, batches: readonly LogBatch[]): Promise<Map<string, Volume>> {
    const lines = batches.flatMap((b) => b.lines.map((l) => ({ ...l, deploymentId: b.deploymentId })));
    const col = <K extends keyof (typeof lines)[number]>(k: K) => lines.map((l) => l[k]);
    const inserted: { deployment_id: string; lines: string; bytes: string }[] = await tx.query(
      `with added as (
         insert into logs.log_lines (${COLUMNS})
         select * from unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[])
         on conflict do nothing
         returning deployment_id, octet_length(message) as bytes)
       select deployment_id, count(*)::text as lines, sum(bytes)::text as bytes from added group by deployment_id`,
      [col('deploymentId'), col('seq'), col('timestamp'), col('level'), col('source'), col('step').map(storable), col('message').map(storableMessage)],
    );
    return new Map(inserted.map((r) => [r.deployment_id, { lines: Number(r.lines), bytes: Number(r.bytes) }]));
  }

  // One row per deployment of the transaction, appended: an upsert of one row per deployment would
  // make replicas storing the same deployments wait for each other's commits. Summed when read,
  // compacted hourly (LogPartitionsRepository.compactVolume).
  private async count(tx: EntityManager, volume: Map<string, Volume>): Promise<void> {
    if (!volume.size) return;
    const ids = [...volume.keys()];
    await tx.query(
      `insert into logs.deployment_volume (deployment_id, lines, bytes) select * from unnest($1::uuid[], $2::bigint[], $3::bigint[])`,
      [ids, ids.map((id) => volume.get(id)!.lines), ids.map((id) => volume.get(id)!.bytes)],
    );
  }

  // One statement, so the page and the highest stored seq come from the same snapshot: a line
  // committed in between cannot be counted as read without being returned.
  async list(q: LogQuery): Promise<LogLinePage> {
    if (q.tail !== undefined) return this.tail(q, q.tail);
    const params: unknown[] = [q.deploymentId, q.afterSeq, q.limit];
    const filters: string[] = [];
    for (const [column, value] of [['level', q.level], ['step', q.step], ['source', q.source]] as const) {
      if (value === undefined) continue;
      params.push(value);
      filters.push(`and ${column} = $${params.length}`);
    }
    const rows = await this.read<LineRow>(
      `log_list${filters.length ? `_${filters.map((f) => f.split(' ')[1]).join('_')}` : ''}`,
      `select l.seq, ${ISO_TS} as at, l.level, l.source, l.step, l.message, top.max_seq
       from (select max(seq) as max_seq from logs.log_lines where deployment_id = $1) top
       left join lateral (
         select seq, ts, level, source, step, message from logs.log_lines
         where deployment_id = $1 and seq > $2 ${filters.join(' ')}
         order by seq, ts limit $3
       ) l on true`,
      params,
    );
    const found = rows.filter((r) => r.seq !== null);
    const items = firstPerSeq(found).map(lineOf);
    const full = found.length === q.limit;
    const lastSeq = full ? items[items.length - 1].seq : Math.max(q.afterSeq, rows[0]?.max_seq ?? 0);
    return { items, lastSeq };
  }

  // The last lines: the primary key walked backwards from the end, the page turned around here.
  private async tail(q: LogQuery, tail: number): Promise<LogLinePage> {
    const params: unknown[] = [q.deploymentId, tail];
    const filters: string[] = [];
    for (const [column, value] of [['level', q.level], ['step', q.step], ['source', q.source]] as const) {
      if (value === undefined) continue;
      params.push(value);
      filters.push(`and ${column} = $${params.length}`);
    }
    // unfiltered, the first row walking back is the last stored: no second walk for max(seq)
    const rows = filters.length
      ? await this.read<LineRow>(
          `log_tail_${filters.map((f) => f.split(' ')[1]).join('_')}`,
          `select l.seq, ${ISO_TS} as at, l.level, l.source, l.step, l.message, top.max_seq
           from (select max(seq) as max_seq from logs.log_lines where deployment_id = $1) top
           left join lateral (
             select seq, ts, level, source, step, message from logs.log_lines
             where deployment_id = $1 ${filters.join(' ')}
             order by seq desc, ts desc limit $2
           ) l on true`,
          params,
        )
      : await this.read<LineRow>(
          'log_tail',
          `select l.seq, ${ISO_TS} as at, l.level, l.source, l.step, l.message, l.seq as max_seq
           from logs.log_lines l where deployment_id = $1 order by seq desc, ts desc limit $2`,
          params,
        );
    const found = rows.filter((r) => r.seq !== null).reverse();
    const items = firstPerSeq(found).map(lineOf);
    return { items, lastSeq: rows[0]?.max_seq ?? 0 };
  }

  // Named: each pooled connection parses it once and plans it with what it learnt (a plan over
  // every day partition, twice for the tail, was most of the database's time for a short read).
  private async read<T extends QueryResultRow>(name: string, text: string, values: unknown[]): Promise<T[]> {
    const pool = (this.ds.driver as PostgresDriver).master as Pool;
    return (await pool.query<T>({ name, text, values })).rows;
  }

  // Bounded by the deployment: the primary key walks its lines in seq order and stops at `limit`
  // matches, in every day's partition. No text index: a project-wide search would want one.
  async search(q: SearchQuery): Promise<LogSearchHit[]> {
    const params: unknown[] = [q.deploymentId, q.afterSeq, likePattern(q.q), q.limit];
    let level = '';
    if (q.level) {
      params.push(q.level);
      level = `and level = $${params.length}`;
    }
    const rows: LineRow[] = await this.ds.query(
      `select seq, ${ISO_TS} as at, level, source, step, message from logs.log_lines l
       where deployment_id = $1 and seq > $2 and message ilike $3 ${level}
       order by seq, ts limit $4`,
      params,
    );
    return firstPerSeq(rows).map((r) => ({ deploymentId: q.deploymentId, ...lineOf(r) }));
  }

  // Each seq once, whatever copies of it the table holds.
  async countLevels(deploymentId: string): Promise<LogLevelCounts> {
    const rows: { level: LogLine['level']; n: number }[] = await this.ds.query(
      `select level, count(distinct seq)::int as n from logs.log_lines where deployment_id = $1 group by level`,
      [deploymentId],
    );
    const volume = await this.volume(deploymentId);
    const levels = { debug: 0, info: 0, warn: 0, error: 0 };
    for (const r of rows) levels[r.level] = r.n;
    return {
      deploymentId,
      total: rows.reduce((n, r) => n + r.n, 0),
      levels,
      volume,
    };
  }

  /** lines and UTF-8 message bytes ever stored for a deployment (its counter rows, summed) */
  async volume(deploymentId: string): Promise<LogVolume> {
    const [v]: { lines: string; bytes: string }[] = await this.ds.query(
      `select coalesce(sum(lines), 0)::text as lines, coalesce(sum(bytes), 0)::text as bytes from logs.deployment_volume where deployment_id = $1`,
      [deploymentId],
    );
    return { lines: Number(v?.lines ?? 0), bytes: Number(v?.bytes ?? 0) };
  }
}
