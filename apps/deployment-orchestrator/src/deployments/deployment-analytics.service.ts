import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CommandRequest, type DeploymentAnalytics, ErrorCode, type Result, err, getProject, getProjectAnalytics, ok } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';

const DEFAULT_WINDOW_MS = 30 * 24 * 3600_000;
const TOP_ERRORS = 5;

type Pct = { p50: number | null; p95: number | null };
const pct = (r: { p50: string | number | null; p95: string | number | null }): Pct => ({
  p50: r.p50 === null ? null : Math.round(Number(r.p50)),
  p95: r.p95 === null ? null : Math.round(Number(r.p95)),
});

// What a project's deployments add up to over a window, computed by Postgres from the deployments
// and their history (never loaded into memory): counts, success rate, percentiles of total time,
// build-and-release time, queue wait and each phase, and the most frequent error codes.
@Injectable()
export class DeploymentAnalyticsService {
  constructor(
    private readonly ds: DataSource,
    private readonly bus: Bus,
  ) {}

  async analytics(q: CommandRequest<typeof getProjectAnalytics>): Promise<Result<DeploymentAnalytics>> {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_WINDOW_MS);
    if (from >= to) return err(ErrorCode.InvalidInput, 'from must be before to', { field: 'from' });
    const project = await this.bus.request(getProject, { projectId: q.projectId });
    if (!project.ok) return project;
    const scope = `with d as (
        select * from orchestrator.deployments
         where project_id = $1 and ($2::uuid is null or environment_id = $2) and created_at >= $3 and created_at < $4)`;
    const args = [q.projectId, q.environmentId ?? null, from, to];
    const run = <T>(sql: string) => this.ds.query(`${scope} ${sql}`, args) as Promise<T[]>;
    const [byStatus, times, phases, errors] = await Promise.all([
      run<{ status: string; n: number }>(`select status, count(*)::int as n from d group by status`),
      run<Record<string, string | null>>(
        `select
           percentile_cont(0.5) within group (order by extract(epoch from finished_at - created_at) * 1000) as total_p50,
           percentile_cont(0.95) within group (order by extract(epoch from finished_at - created_at) * 1000) as total_p95,
           percentile_cont(0.5) within group (order by duration_ms) as duration_p50,
           percentile_cont(0.95) within group (order by duration_ms) as duration_p95,
           percentile_cont(0.5) within group (order by extract(epoch from started_at - created_at) * 1000) as queue_p50,
           percentile_cont(0.95) within group (order by extract(epoch from started_at - created_at) * 1000) as queue_p95
         from d`,
      ),
      run<{ phase: string; p50: string | null; p95: string | null }>(
        `, steps as (
           select t.deployment_id, t.phase, extract(epoch from lead(t.at) over (partition by t.deployment_id order by t.id) - t.at) * 1000 as ms
             from orchestrator.deployment_transitions t join d on d.id = t.deployment_id),
         per_deployment as (select deployment_id, phase, sum(ms) as ms from steps where ms is not null group by deployment_id, phase)
         select phase, percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.95) within group (order by ms) as p95
           from per_deployment group by phase`,
      ),
      run<{ code: string; n: number }>(
        `select error_code as code, count(*)::int as n from d where error_code is not null and status <> 'canceled'
          group by error_code order by n desc, code limit ${TOP_ERRORS}`,
      ),
    ]);
    const counts = Object.fromEntries(byStatus.map((r) => [r.status, r.n]));
    const decided = (counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.timeout ?? 0);
    const t = times[0];
    return ok({
      projectId: q.projectId,
      environmentId: q.environmentId ?? null,
      from: from.toISOString(),
      to: to.toISOString(),
      total: byStatus.reduce((sum, r) => sum + r.n, 0),
      byStatus: counts,
      successRate: decided ? (counts.succeeded ?? 0) / decided : null,
      totalMs: pct({ p50: t.total_p50, p95: t.total_p95 }),
      durationMs: pct({ p50: t.duration_p50, p95: t.duration_p95 }),
      queueWaitMs: pct({ p50: t.queue_p50, p95: t.queue_p95 }),
      phaseMs: Object.fromEntries(phases.map((p) => [p.phase, pct(p)])),
      topErrors: errors.map((e) => ({ code: e.code, count: e.n })),
    });
  }
}
