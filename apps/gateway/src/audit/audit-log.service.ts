import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditEntry, AuditPage } from '@flightdeck/contracts';

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

interface AuditRow {
  id: string;
  at: Date;
  actor_kind: AuditEntry['actor']['kind'];
  actor_id: string | null;
  user_id: string | null;
  token_id: string | null;
  method: string;
  route: string | null;
  path: string;
  project_id: string | null;
  target: Record<string, string>;
  status: number;
  outcome: AuditEntry['outcome'];
  error_code: string | null;
  correlation_id: string | null;
}

const toEntry = (r: AuditRow): AuditEntry => ({
  id: Number(r.id),
  at: r.at.toISOString(),
  actor: { kind: r.actor_kind, id: r.actor_id },
  userId: r.user_id,
  tokenId: r.token_id,
  method: r.method,
  route: r.route,
  path: r.path,
  projectId: r.project_id,
  target: r.target,
  status: r.status,
  outcome: r.outcome,
  errorCode: r.error_code,
  correlationId: r.correlation_id,
});

// The gateway's append-only record of mutating calls (the table refuses updates and deletes).
@Injectable()
export class AuditLogService {
  private readonly logger = new Logger(AuditLogService.name);

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** `tx`: in the caller's transaction (a consumer's, so that a redelivered event records nothing twice) */
  async record(e: NewAuditEntry, tx: EntityManager = this.ds.manager): Promise<void> {
    await tx.query(
      `insert into gateway.audit_log
         (actor_kind, actor_id, user_id, token_id, method, route, path, project_id, target, status, outcome, error_code, correlation_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        e.actor.kind,
        e.actor.id,
        e.userId,
        e.tokenId,
        e.method,
        e.route,
        e.path,
        e.projectId,
        JSON.stringify(e.target),
        e.status,
        e.outcome,
        e.errorCode,
        e.correlationId,
      ],
    );
  }

  /** newest first; projectId undefined: every entry */
  async page(q: { projectId?: string; limit: number; before?: number }): Promise<AuditPage> {
    const rows: AuditRow[] = await this.ds.query(
      `select * from gateway.audit_log
        where ($1::uuid is null or project_id = $1) and ($2::bigint is null or id < $2)
        order by id desc limit $3`,
      [q.projectId ?? null, q.before ?? null, q.limit + 1],
    );
    const items = rows.slice(0, q.limit).map(toEntry);
    return { items, nextBefore: rows.length > q.limit ? items[items.length - 1].id : null };
  }

  logFailure(e: unknown, entry: NewAuditEntry) {
    this.logger.error({ err: e, method: entry.method, path: entry.path, status: entry.status }, 'could not record an audit entry');
  }
}
