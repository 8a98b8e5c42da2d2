import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Hook, HookDelivery } from '@flightdeck/contracts';

interface HookRow {
  id: string;
  project_id: string;
  url: string;
  events: string[];
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface DeliveryRow {
  id: string;
  hook_id: string;
  project_id: string;
  event: string;
  deployment_id: string | null;
  payload: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  response_status: number | null;
  response_time_ms: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
  delivered_at: Date | null;
}

const toHook = (r: HookRow): Hook => ({
  id: r.id,
  projectId: r.project_id,
  url: r.url,
  events: r.events,
  active: r.active,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export const toDelivery = (r: DeliveryRow): HookDelivery => ({
  id: r.id,
  hookId: r.hook_id,
  event: r.event,
  deploymentId: r.deployment_id,
  status: r.status,
  attempts: r.attempts,
  responseStatus: r.response_status,
  responseTimeMs: r.response_time_ms,
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
  deliveredAt: r.delivered_at?.toISOString() ?? null,
});

@Injectable()
export class HooksRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(h: { id: string; projectId: string; url: string; events: string[]; active: boolean }): Promise<Hook> {
    const [row] = await this.ds.query(`insert into gateway.hooks (id, project_id, url, events, active) values ($1, $2, $3, $4, $5) returning *`, [
      h.id,
      h.projectId,
      h.url,
      h.events,
      h.active,
    ]);
    return toHook(row);
  }

  async list(projectId: string): Promise<Hook[]> {
    const rows: HookRow[] = await this.ds.query(`select * from gateway.hooks where project_id = $1 order by created_at`, [projectId]);
    return rows.map(toHook);
  }

  async find(projectId: string, hookId: string): Promise<Hook | undefined> {
    const [row] = await this.ds.query(`select * from gateway.hooks where project_id = $1 and id = $2`, [projectId, hookId]);
    return row ? toHook(row) : undefined;
  }

  async update(projectId: string, hookId: string, p: { url?: string; events?: string[]; active?: boolean }): Promise<Hook | undefined> {
    const [rows]: [HookRow[], number] = await this.ds.query(
      `update gateway.hooks set url = coalesce($3, url), events = coalesce($4, events), active = coalesce($5, active), updated_at = now()
        where project_id = $1 and id = $2 returning *`,
      [projectId, hookId, p.url ?? null, p.events ?? null, p.active ?? null],
    );
    return rows[0] ? toHook(rows[0]) : undefined;
  }

  async delete(projectId: string, hookId: string): Promise<boolean> {
    const [, n] = await this.ds.query(`delete from gateway.hooks where project_id = $1 and id = $2`, [projectId, hookId]);
    return n > 0;
  }

  /** one pending delivery per active hook of the project subscribed to the event and older than it */
  async enqueue(tx: EntityManager, projectId: string, deploymentId: string, event: string, at: string, payload: Record<string, unknown>): Promise<number> {
    const hooks: { id: string }[] = await tx.query(
      `select id from gateway.hooks where project_id = $1 and active and $2 = any(events) and created_at <= $3`,
      [projectId, event, at],
    );
    for (const h of hooks) {
      await tx.query(
        `insert into gateway.hook_deliveries (id, hook_id, project_id, event, deployment_id, payload, next_attempt_at) values ($1, $2, $3, $4, $5, $6, now())`,
        [randomUUID(), h.id, projectId, event, deploymentId, payload],
      );
    }
    return hooks.length;
  }

  async deliveries(projectId: string, hookId: string, limit: number): Promise<DeliveryRow[]> {
    return this.ds.query(`select * from gateway.hook_deliveries where project_id = $1 and hook_id = $2 order by created_at desc, id limit $3`, [projectId, hookId, limit]);
  }

  /**
   * An ended delivery sent again at once, with the same id, its attempts counted afresh; a pending
   * one is left as it is ('pending': it is being tried; undefined: no such delivery).
   */
  async redeliver(projectId: string, hookId: string, deliveryId: string): Promise<DeliveryRow | 'pending' | undefined> {
    const [rows]: [DeliveryRow[], number] = await this.ds.query(
      `update gateway.hook_deliveries set status = 'pending', attempts = 0, next_attempt_at = now(), last_error = null
        where project_id = $1 and hook_id = $2 and id = $3 and status <> 'pending' returning *`,
      [projectId, hookId, deliveryId],
    );
    if (rows[0]) return rows[0];
    const [found] = await this.ds.query(`select status from gateway.hook_deliveries where project_id = $1 and hook_id = $2 and id = $3`, [projectId, hookId, deliveryId]);
    return found ? 'pending' : undefined;
  }

  /**
   * Up to `limit` due deliveries of active hooks, at most `perHook` per hook counting the ones this
   * gateway has in flight (`busy`), so that one hook's hanging receiver cannot take every slot; each
   * leased to this gateway until `leaseMs` from now. Another replica that picked the same rows finds
   * them leased when its update re-checks them (and a gateway that stops mid-attempt leaves them due
   * again when the lease ends).
   */
  async claimDue(limit: number, leaseMs: number, perHook: number, busy: ReadonlyMap<string, number>): Promise<(DeliveryRow & { url: string })[]> {
    if (limit <= 0) return [];
    const candidates: { id: string; hook_id: string }[] = await this.ds.query(
      `select id, hook_id from (
         select d.id, d.hook_id, d.next_attempt_at, row_number() over (partition by d.hook_id order by d.next_attempt_at, d.id) as rn
           from gateway.hook_deliveries d join gateway.hooks h on h.id = d.hook_id
          where d.status = 'pending' and d.next_attempt_at <= now() and h.active) x
        where rn <= $1 order by next_attempt_at limit $2`,
      [perHook, limit * 4],
    );
    const taken = new Map<string, number>();
    const ids: string[] = [];
    for (const c of candidates) {
      const n = (busy.get(c.hook_id) ?? 0) + (taken.get(c.hook_id) ?? 0);
      if (n >= perHook) continue;
      taken.set(c.hook_id, (taken.get(c.hook_id) ?? 0) + 1);
      ids.push(c.id);
      if (ids.length >= limit) break;
    }
    if (!ids.length) return [];
    const [rows] = await this.ds.query(
      `update gateway.hook_deliveries d set next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
         from gateway.hooks h
        where h.id = d.hook_id and d.id = any($1::uuid[]) and d.status = 'pending' and d.next_attempt_at <= now()
        returning d.*, h.url`,
      [ids, leaseMs],
    );
    return rows;
  }

  /** deliveries that ended (delivered or failed) before `days` ago: deleted, at most `limit` per call */
  async prune(days: number, limit = 1_000): Promise<number> {
    const [, n] = await this.ds.query(
      `delete from gateway.hook_deliveries where id in (
         select id from gateway.hook_deliveries where status <> 'pending' and created_at < now() - make_interval(days => $1) limit $2)`,
      [days, limit],
    );
    return n;
  }

  async recordAttempt(
    id: string,
    r: { status: 'pending' | 'delivered' | 'failed'; attempts: number; responseStatus: number | null; responseTimeMs: number | null; error: string | null; nextAttemptAt: Date | null },
  ): Promise<void> {
    await this.ds.query(
      `update gateway.hook_deliveries set status = $2, attempts = $3, response_status = $4, response_time_ms = $5, last_error = $6, next_attempt_at = $7,
              delivered_at = case when $2 = 'delivered' then now() else delivered_at end
        where id = $1`,
      [id, r.status, r.attempts, r.responseStatus, r.responseTimeMs, r.error, r.nextAttemptAt],
    );
  }
}
