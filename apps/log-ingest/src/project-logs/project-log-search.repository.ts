import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { LogLine, LogSearchHit } from '@flightdeck/contracts';
import { MESSAGE_WORDS, likePattern, wordsQuery } from '../log-lines/log-words';

export interface ProjectSearch {
  projectId: string;
  q: string;
  from: Date;
  to: Date;
  limit: number;
  level?: LogLine['level'];
}

interface HitRow {
  deployment_id: string;
  seq: number;
  ts: Date;
  level: LogLine['level'];
  source: LogLine['source'];
  step: string;
  message: string;
}

export const QUERY_CANCELED = '57014';

const DAY_MS = 86_400_000;

/** [from, to) cut at UTC midnights, the newest piece first */
export const daysNewestFirst = (from: Date, to: Date): { from: Date; to: Date }[] => {
  const pieces: { from: Date; to: Date }[] = [];
  for (let end = to.getTime(); end > from.getTime(); ) {
    const start = Math.max(from.getTime(), Math.ceil(end / DAY_MS - 1) * DAY_MS);
    pieces.push({ from: new Date(start), to: new Date(end) });
    end = start;
  }
  return pieces;
};

// The lines of a project's deployments in [from, to) holding every word of q and q itself. One
// query per UTC day, the newest day first, each reading one day partition: in an ended day the
// words index finds the candidates; in today's (not indexed, see the migration 1764700000000)
// the ILIKE, cheaper than computing the words, screens every line first. A day's query stops at
// the lines still wanted, without sorting every match of a common word: the answer holds the
// newest days' matches, and which lines of the last day read when it was cut is not defined.
// A search that would read too much anyway is stopped by the statement timeout (the caller
// answers logs/search-too-broad).
@Injectable()
export class ProjectLogSearchRepository {
  constructor(private readonly ds: DataSource) {}

  /** `limit` + 1 hits at most, newest first: one more than asked says the answer was cut */
  async search(s: ProjectSearch, timeoutMs: number): Promise<LogSearchHit[]> {
    const wanted = s.limit + 1;
    const deadline = Date.now() + timeoutMs;
    const rows: HitRow[] = [];
    for (const day of daysNewestFirst(s.from, s.to)) {
      if (rows.length >= wanted) break;
      rows.push(...(await this.searchDay(s, day, wanted - rows.length, deadline - Date.now())));
    }
    const seen = new Set<string>();
    return rows
      .filter((r) => !seen.has(`${r.deployment_id}:${r.seq}`) && !!seen.add(`${r.deployment_id}:${r.seq}`))
      .sort((a, b) => b.ts.getTime() - a.ts.getTime() || (a.deployment_id < b.deployment_id ? -1 : 1) || b.seq - a.seq)
      .map((r) => ({ deploymentId: r.deployment_id, seq: r.seq, timestamp: r.ts.toISOString(), level: r.level, source: r.source, step: r.step, message: r.message }));
  }

  private async searchDay(s: ProjectSearch, day: { from: Date; to: Date }, limit: number, timeoutMs: number): Promise<HitRow[]> {
    const params: unknown[] = [s.projectId, day.from.toISOString(), day.to.toISOString(), s.q, likePattern(s.q), limit];
    let level = '';
    if (s.level) {
      params.push(s.level);
      level = `and l.level = $${params.length}`;
    }
    return this.ds.transaction(async (tx) => {
      await tx.query(`set local statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      return tx.query(
        `select l.deployment_id, l.seq, l.ts, l.level, l.source, l.step, l.message
         from logs.log_lines l join logs.deployments d on d.deployment_id = l.deployment_id
         where d.project_id = $1 and l.ts >= $2 and l.ts < $3
           and ${MESSAGE_WORDS.replace('message', 'l.message')} @@ ${wordsQuery('$4')}
           and l.message ilike $5 ${level}
         limit $6`,
        params,
      );
    });
  }
}
