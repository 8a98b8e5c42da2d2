import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { WebhookDelivery, WebhookOutcome } from '@flightdeck/contracts';
import type { GithubWork } from './github-events';

interface DeliveryRow {
  id: string;
  delivery_id: string;
  event: string;
  action: string | null;
  project_id: string | null;
  outcome: WebhookOutcome;
  detail: string;
  deployment_ids: string[];
  preview_url: string | null;
  received_at: Date;
  finished_at: Date | null;
}

const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: Number(r.id),
  deliveryId: r.delivery_id,
  event: r.event,
  action: r.action,
  projectId: r.project_id,
  outcome: r.outcome,
  detail: r.detail,
  deploymentIds: r.deployment_ids,
  previewUrl: r.preview_url,
  receivedAt: r.received_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
});

// what a delivery's own text (a ref, an action, a commit message) may put in a row: no NUL, no
// other control character, no lone surrogate, which Postgres text refuses or a reader trips on
const printable = (text: string, max: number) => text.replace(/[\u0000-\u001f\u007f]|[\ud800-\udfff]/g, '?').slice(0, max);

export interface NewDelivery {
  deliveryId: string;
  event: string;
  action: string | null;
  projectId: string | null;
  outcome: WebhookOutcome;
  detail: string;
  /** for an accepted one: what to do, kept until done */
  work?: GithubWork;
}

/** an accepted delivery a sweep took up again */
export interface UnfinishedDelivery {
  rowId: number;
  deliveryId: string;
  projectId: string;
  work: GithubWork;
  attempts: number;
}

/** a stopped gateway's work waits this long before another takes it up (a running one is done by then) */
export const RETRY_AFTER_S = 60;

// Every query on gateway.webhook_deliveries.
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** the new row's id; undefined when this project already took this delivery id (a replay) */
  async claim(d: NewDelivery): Promise<number | undefined> {
    const rows: { id: string }[] = await this.ds.query(
      `insert into gateway.webhook_deliveries (delivery_id, event, action, project_id, outcome, detail, finished_at, work, retry_after)
       values ($1, $2, $3, $4, $5, $6, case when $5 = 'accepted' then null else now() end, $7::jsonb,
               case when $5 = 'accepted' then now() + make_interval(secs => $8) end)
       on conflict (project_id, delivery_id) where outcome <> 'rejected' and project_id is not null do nothing
       returning id`,
      [d.deliveryId, d.event, d.action === null ? null : printable(d.action, 100), d.projectId, d.outcome, printable(d.detail, 4000), d.work ? JSON.stringify(d.work) : null, RETRY_AFTER_S],
    );
    return rows.length ? Number(rows[0].id) : undefined;
  }

  async finish(id: number, outcome: WebhookOutcome, detail: string, deploymentIds: string[], previewUrl: string | null) {
    await this.ds.query(
      `update gateway.webhook_deliveries set outcome = $2, detail = $3, deployment_ids = $4::uuid[], preview_url = $5, finished_at = now() where id = $1`,
      [id, outcome, printable(detail, 4000), deploymentIds, previewUrl],
    );
  }

  // Accepted deliveries whose time is up, each taken by one gateway (skip locked) and pushed back
  // so that no other takes it meanwhile.
  async takeUnfinished(limit: number): Promise<UnfinishedDelivery[]> {
    // TypeORM answers an update ... returning with [rows, count]
    const [rows]: [{ id: string; delivery_id: string; project_id: string; work: GithubWork; attempts: number }[], number] = await this.ds.query(
      `update gateway.webhook_deliveries set retry_after = now() + make_interval(secs => $2), attempts = attempts + 1
        where id in (select id from gateway.webhook_deliveries
                      where outcome = 'accepted' and work is not null and project_id is not null and retry_after <= now()
                      order by retry_after limit $1 for update skip locked)
        returning id, delivery_id, project_id, work, attempts`,
      [limit, RETRY_AFTER_S],
    );
    return rows.map((r) => ({ rowId: Number(r.id), deliveryId: r.delivery_id, projectId: r.project_id, work: r.work, attempts: r.attempts }));
  }

  async recent(projectId: string, limit: number): Promise<WebhookDelivery[]> {
    const rows: DeliveryRow[] = await this.ds.query(
      `select * from gateway.webhook_deliveries where project_id = $1 order by id desc limit $2`,
      [projectId, limit],
    );
    return rows.map(toDelivery);
  }
}
