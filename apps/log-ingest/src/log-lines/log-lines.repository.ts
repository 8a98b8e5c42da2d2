import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CommandRequest, LogBatch, LogLine, LogLinePage, listLogLines } from '@flightdeck/contracts';

type LogQuery = CommandRequest<typeof listLogLines>;

interface LineRow {
  seq: number | null;
  ts: Date | null;
  level: LogLine['level'] | null;
  source: LogLine['source'] | null;
  step: string | null;
  message: string | null;
  max_seq: number | null;
}

// Postgres text cannot hold NUL; a build that prints one must not block its deployment's log.
const storable = (text: string) => (text.includes('\u0000') ? text.replace(/\u0000/g, '\uFFFD') : text);

// The only code that knows the SQL of logs.log_lines.
@Injectable()
export class LogLinesRepository {
  constructor(private readonly ds: DataSource) {}

  /** inserts every line not stored yet; returns how many were new */
  async insert(tx: EntityManager, batches: readonly LogBatch[]): Promise<number> {
    const cols = { id: [] as string[], seq: [] as number[], ts: [] as string[], level: [] as string[], source: [] as string[], step: [] as string[], message: [] as string[] };
    const seen = new Set<string>();
    for (const b of batches) {
      for (const l of b.lines) {
        const key = `${b.deploymentId}:${l.seq}`;
        if (seen.has(key)) continue;
        seen.add(key);
        cols.id.push(b.deploymentId);
        cols.seq.push(l.seq);
        cols.ts.push(l.timestamp);
        cols.level.push(l.level);
        cols.source.push(l.source);
        cols.step.push(storable(l.step));
        cols.message.push(storable(l.message));
      }
    }
    if (!cols.id.length) return 0;
    // One statement with seven array parameters, whatever the row count: no parameter limit and
    // one round trip. The primary key drops lines stored before (a redelivery, a re-published batch).
    const result = await tx.queryRunner!.query(
      `insert into logs.log_lines (deployment_id, seq, ts, level, source, step, message)
       select * from unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[])
       on conflict do nothing`,
      [cols.id, cols.seq, cols.ts, cols.level, cols.source, cols.step, cols.message],
      true,
    );
    return result.affected ?? 0;
  }

  // One statement, so the page and the highest stored seq come from the same snapshot: a line
  // committed in between cannot be counted as read without being returned.
  async list(q: LogQuery): Promise<LogLinePage> {
    const params: unknown[] = [q.deploymentId, q.afterSeq, q.limit];
    const filters: string[] = [];
    for (const [column, value] of [['level', q.level], ['step', q.step], ['source', q.source]] as const) {
      if (value === undefined) continue;
      params.push(value);
      filters.push(`and ${column} = $${params.length}`);
    }
    const rows: LineRow[] = await this.ds.query(
      `select l.seq, l.ts, l.level, l.source, l.step, l.message, top.max_seq
       from (select max(seq) as max_seq from logs.log_lines where deployment_id = $1) top
       left join lateral (
         select seq, ts, level, source, step, message from logs.log_lines
         where deployment_id = $1 and seq > $2 ${filters.join(' ')}
         order by seq limit $3
       ) l on true`,
      params,
    );
    const items: LogLine[] = rows
      .filter((r) => r.seq !== null)
      .map((r) => ({ seq: r.seq!, timestamp: r.ts!.toISOString(), level: r.level!, source: r.source!, step: r.step!, message: r.message! }));
    const full = items.length === q.limit;
    const lastSeq = full ? items[items.length - 1].seq : Math.max(q.afterSeq, rows[0]?.max_seq ?? 0);
    return { items, lastSeq };
  }
}
