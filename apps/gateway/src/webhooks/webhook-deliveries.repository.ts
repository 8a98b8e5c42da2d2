import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { WebhookDelivery, WebhookOutcome } from '@flightdeck/contracts';

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
}

// Every query on gateway.webhook_deliveries.
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** the new row's id; undefined when this project already took this delivery id (a replay) */
  async claim(d: NewDelivery): Promise<number | undefined> {
    const rows: { id: string }[] = await this.ds.query(
      `insert into gateway.webhook_deliveries (delivery_id, event, action, project_id, outcome, detail, finished_at)
       values ($1, $2, $3, $4, $5, $6, case when $5 = 'accepted' then null else now() end)
       on conflict (project_id, delivery_id) where outcome <> 'rejected' and project_id is not null do nothing
       returning id`,
      [d.deliveryId, d.event, d.action === null ? null : printable(d.action, 100), d.projectId, d.outcome, printable(d.detail, 4000)],
    );
    return rows.length ? Number(rows[0].id) : undefined;
  }

  async finish(id: number, outcome: WebhookOutcome, detail: string, deploymentIds: string[], previewUrl: string | null) {
    await this.ds.query(
      `update gateway.webhook_deliveries set outcome = $2, detail = $3, deployment_ids = $4::uuid[], preview_url = $5, finished_at = now() where id = $1`,
      [id, outcome, printable(detail, 4000), deploymentIds, previewUrl],
    );
  }

  async recent(projectId: string, limit: number): Promise<WebhookDelivery[]> {
    const rows: DeliveryRow[] = await this.ds.query(
      `select * from gateway.webhook_deliveries where project_id = $1 order by id desc limit $2`,
      [projectId, limit],
    );
    return rows.map(toDelivery);
  }
}
