import { z } from 'zod';
import {
  ApiTokenView,
  AuditPage,
  type AuditQuery,
  type CreateEnvironmentBody,
  type CreateProjectRequest,
  type CreateTokenRequest,
  CreatedToken,
  Deployment,
  DeploymentMetrics,
  DeploymentResult,
  type DeploymentSortBy,
  DeploymentStatus,
  type DeploymentTrigger,
  Environment,
  ImportVariablesReport,
  LogLinePage,
  LogVolume,
  Project,
  ProjectMember,
  ProjectMemberList,
  type ProjectRole,
  type Result,
  RetryBody,
  RollbackBody,
  type ApprovalBody,
  type StatusPayload,
  type TriggerDeploymentBody,
  UpdateEnvironmentBody,
  type UpdateProjectBody,
  type VariableTarget,
  VariableView,
  WebhookDeliveryList,
  WebhookReceipt,
  WebhookSettings,
  CreatedWebhookSecret,
  ConfigurationDiff,
  SystemStatus,
  type AnalyticsQuery,
  DeploymentAnalytics,
  DetectedVariablesReport,
  EnvironmentPause,
  EnvironmentHealth,
  type ValidateVariablesBody,
  VariableValidationReport,
  resumeEnvironment,
  getDeploymentProgress,
  listOf,
  ok,
  pageOf,
} from '@flightdeck/contracts';
import { HttpTransport, type Query, pathOf } from './http-transport';
import { LiveConnection } from './live-connection';
import { type LogFilter, type LogStream, type StreamLogsOptions, streamLogs } from './log-stream';
import { DEFAULT_CACHE_TTL_MS, ReadCache } from './read-cache';

export interface DeploymentClientOptions {
  /** the gateway's API origin, e.g. http://localhost:3000 (the client adds /api/v1) */
  baseUrl: string;
  /** FLIGHTDECK_ADMIN_TOKEN or an API token (fdt_…) */
  token?: string;
  /** per HTTP request, default 30 s; past it the Result is service/unavailable */
  timeoutMs?: number;
  /**
   * Seed 000's read cache for getDeployment and listDeployments: off by default; `true` keeps
   * answers 30 s, `{ttlMs}` as long as said. Status events this client receives and its own
   * changes drop the entries they concern.
   */
  cache?: boolean | { ttlMs?: number; now?: () => number };
  /** another fetch (tests); the global one by default */
  fetch?: typeof fetch;
  /** a live event whose payload did not match the contract (dropped, never handed on) */
  onInvalidEvent?: (event: string, message: string) => void;
}

/** GET /projects/:projectId/deployments: every filter and page option the route takes */
export interface ListDeploymentsOptions {
  status?: DeploymentStatus;
  environmentId?: string;
  trigger?: DeploymentTrigger;
  sourceRef?: string;
  /** 4 to 40 hex digits: the deployments whose commit sha starts with them */
  commitSha?: string;
  triggeredBy?: string;
  /** ISO 8601 with an offset: created at or after / strictly before */
  createdAfter?: string;
  createdBefore?: string;
  /** createdAt (default), updatedAt, finishedAt or duration; deployments without the value last */
  sortBy?: DeploymentSortBy;
  /** desc (default) or asc */
  sortOrder?: 'asc' | 'desc';
  /** 1–100, default 20 */
  limit?: number;
  offset?: number;
}

export interface TriggerOptions {
  /** the same key for the same project returns the same deployment (sent as Idempotency-Key) */
  idempotencyKey?: string;
}

export interface GetLogsOptions extends LogFilter {
  afterSeq?: number;
  /** ≤ 5,000, default 1,000 */
  limit?: number;
  /** the last n lines instead of a page after afterSeq */
  tail?: number;
}

export interface SetVariableInput {
  value: string;
  sensitive?: boolean;
  target?: VariableTarget;
}

export interface ImportEnvOptions {
  partial?: boolean;
  sensitive?: boolean;
  target?: VariableTarget;
}

/** a GitHub webhook delivery as received: the exact body bytes (the signature covers them) and its headers */
export interface WebhookDelivery {
  body: string | Uint8Array;
  headers: Record<string, string>;
}

export const DeploymentWithLogVolume = Deployment.extend({ logVolume: LogVolume.nullable().optional() });
export type DeploymentWithLogVolume = z.infer<typeof DeploymentWithLogVolume>;
const DeploymentPage = pageOf(Deployment);
export type DeploymentPage = z.infer<typeof DeploymentPage>;
const VariableDeleted = z.object({ key: z.string(), deleted: z.literal(true) });

const qsBool = (b: boolean | undefined) => (b === undefined ? undefined : String(b));

/**
 * Seed 000's DeploymentClient: the whole API from Node 20 or a browser. Every method answers a
 * `Result` (never throws for an API or network error); every answer is parsed with the contract
 * schema of its route.
 */
export class DeploymentClient {
  readonly http: HttpTransport;
  private readonly cache: ReadCache | undefined;
  private readonly live: LiveConnection;

  constructor(opts: DeploymentClientOptions) {
    this.http = new HttpTransport({
      baseUrl: opts.baseUrl,
      token: opts.token,
      timeoutMs: opts.timeoutMs,
      fetch: opts.fetch,
    });
    this.cache = opts.cache
      ? new ReadCache(typeof opts.cache === 'object' ? opts.cache : { ttlMs: DEFAULT_CACHE_TTL_MS })
      : undefined;
    this.live = new LiveConnection(opts.baseUrl, opts.token, opts.onInvalidEvent);
    this.live.statusObservers.add((p) => this.onStatus(p));
  }

  /** closes the live connection (subscriptions end); HTTP methods keep working */
  close(): void {
    this.live.close();
  }

  /** a status event, from any subscription: cached reads of that deployment and its project go */
  private onStatus(p: StatusPayload) {
    this.cache?.invalidateDeployment(p.deployment.id, p.deployment.projectId);
  }

  private changed<T extends { id: string; projectId: string }>(r: Result<T>): Result<T> {
    if (r.ok) this.cache?.invalidateDeployment(r.data.id, r.data.projectId);
    return r;
  }

  private async cached<T>(
    key: string,
    scope: { projectId?: string; deploymentId?: string },
    load: () => Promise<Result<T>>,
  ): Promise<Result<T>> {
    const hit = this.cache?.get<T>(key);
    if (hit !== undefined) return ok(hit);
    const r = await load();
    if (r.ok) this.cache?.set(key, r.data, scope);
    return r;
  }

  // ---- projects

  createProject(body: CreateProjectRequest) {
    return this.http.request('POST', '/projects', Project, { body });
  }
  getProject(projectId: string) {
    return this.http.request('GET', pathOf`/projects/${projectId}`, Project);
  }
  listProjects(opts: { deleted?: boolean } = {}) {
    return this.http.request('GET', '/projects', listOf(Project), {
      query: { deleted: qsBool(opts.deleted) },
    });
  }
  updateProject(projectId: string, body: UpdateProjectBody) {
    return this.http.request('PATCH', pathOf`/projects/${projectId}`, Project, { body });
  }
  deleteProject(projectId: string) {
    return this.http.request('DELETE', pathOf`/projects/${projectId}`, Project);
  }

  // ---- environments

  createEnvironment(projectId: string, body: CreateEnvironmentBody) {
    return this.http.request('POST', pathOf`/projects/${projectId}/environments`, Environment, { body });
  }
  listEnvironments(projectId: string, opts: { deleted?: boolean } = {}) {
    return this.http.request('GET', pathOf`/projects/${projectId}/environments`, listOf(Environment), {
      query: { deleted: qsBool(opts.deleted) },
    });
  }
  getEnvironment(projectId: string, environmentId: string) {
    return this.http.request(
      'GET',
      pathOf`/projects/${projectId}/environments/${environmentId}`,
      Environment,
    );
  }
  /** protection rules' defaults (minRole, freezeBehaviour, ...) may be left out: the API fills them in */
  updateEnvironment(projectId: string, environmentId: string, body: z.input<typeof UpdateEnvironmentBody>) {
    return this.http.request(
      'PATCH',
      pathOf`/projects/${projectId}/environments/${environmentId}`,
      Environment,
      { body },
    );
  }

  // ---- variables (an environment's own, or the project's shared ones)

  setVariable(environmentId: string, key: string, input: SetVariableInput) {
    return this.http.request('PUT', pathOf`/environments/${environmentId}/variables/${key}`, VariableView, {
      body: input,
    });
  }
  listVariables(environmentId: string, opts: { effective?: boolean } = {}) {
    return this.http.request('GET', pathOf`/environments/${environmentId}/variables`, listOf(VariableView), {
      query: { effective: qsBool(opts.effective) },
    });
  }
  deleteVariable(environmentId: string, key: string) {
    return this.http.request(
      'DELETE',
      pathOf`/environments/${environmentId}/variables/${key}`,
      VariableDeleted,
    );
  }
  /** a .env text (not a path: the client reads no files, so it runs in browsers too) */
  importVariables(environmentId: string, dotenv: string, opts: ImportEnvOptions = {}) {
    return this.http.request(
      'POST',
      pathOf`/environments/${environmentId}/variables/import`,
      ImportVariablesReport,
      {
        rawBody: dotenv,
        contentType: 'text/plain',
        query: { partial: qsBool(opts.partial), sensitive: qsBool(opts.sensitive), target: opts.target },
      },
    );
  }
  setProjectVariable(projectId: string, key: string, input: SetVariableInput) {
    return this.http.request('PUT', pathOf`/projects/${projectId}/variables/${key}`, VariableView, {
      body: input,
    });
  }
  listProjectVariables(projectId: string) {
    return this.http.request('GET', pathOf`/projects/${projectId}/variables`, listOf(VariableView));
  }
  deleteProjectVariable(projectId: string, key: string) {
    return this.http.request('DELETE', pathOf`/projects/${projectId}/variables/${key}`, VariableDeleted);
  }
  importProjectVariables(projectId: string, dotenv: string, opts: ImportEnvOptions = {}) {
    return this.http.request('POST', pathOf`/projects/${projectId}/variables/import`, ImportVariablesReport, {
      rawBody: dotenv,
      contentType: 'text/plain',
      query: { partial: qsBool(opts.partial), sensitive: qsBool(opts.sensitive), target: opts.target },
    });
  }

  /** check values against their rules without storing them: {key, value} one value, {key} a stored one, {} all */
  validateVariables(environmentId: string, body: ValidateVariablesBody = {}) {
    return this.http.request('POST', pathOf`/environments/${environmentId}/variables/validate`, VariableValidationReport, {
      body,
    });
  }
  /** what the project's repository needs (description, example, rule) and whether this environment sets it validly */
  detectVariables(projectId: string, environmentId: string, opts: { generate?: boolean } = {}) {
    return this.http.request(
      'GET',
      pathOf`/projects/${projectId}/environments/${environmentId}/detected-variables`,
      DetectedVariablesReport,
      { query: { generate: qsBool(opts.generate) } },
    );
  }

  /**
   * the health of the release the environment serves, as a builder's supervision sees it (healthy,
   * degraded, down; null: nothing supervised), its restarts and last failure; service/unavailable
   * (503) when no builder answers
   */
  getEnvironmentHealth(projectId: string, environmentId: string) {
    return this.http.request(
      'GET',
      pathOf`/projects/${projectId}/environments/${environmentId}/health`,
      EnvironmentHealth,
    );
  }

  // ---- pause after rollback

  /** whether a rollback paused the environment's automatic deploys */
  getEnvironmentPause(projectId: string, environmentId: string) {
    return this.http.request('GET', pathOf`/projects/${projectId}/environments/${environmentId}/pause`, EnvironmentPause);
  }
  /** end that pause (admin) */
  resumeEnvironment(projectId: string, environmentId: string) {
    return this.http.request(
      'POST',
      pathOf`/projects/${projectId}/environments/${environmentId}/resume`,
      resumeEnvironment.reply,
    );
  }

  // ---- deployments

  async triggerDeployment(
    projectId: string,
    body: TriggerDeploymentBody,
    opts: TriggerOptions = {},
  ): Promise<Result<Deployment>> {
    const headers = opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : undefined;
    const r = await this.http.request('POST', pathOf`/projects/${projectId}/deployments`, Deployment, {
      body,
      headers,
    });
    if (r.ok) this.cache?.invalidateProject(projectId);
    return r;
  }

  getDeployment(deploymentId: string): Promise<Result<DeploymentWithLogVolume>> {
    return this.cached(`deployment:${deploymentId}`, { deploymentId }, () =>
      this.http.request('GET', pathOf`/deployments/${deploymentId}`, DeploymentWithLogVolume),
    );
  }

  listDeployments(projectId: string, opts: ListDeploymentsOptions = {}): Promise<Result<DeploymentPage>> {
    const query: Query = { ...opts };
    const key = `deployments:${projectId}:${JSON.stringify(Object.entries(opts).sort())}`;
    return this.cached(key, { projectId }, () =>
      this.http.request('GET', pathOf`/projects/${projectId}/deployments`, DeploymentPage, { query }),
    );
  }

  async cancelDeployment(deploymentId: string): Promise<Result<Deployment>> {
    return this.changed(
      await this.http.request('POST', pathOf`/deployments/${deploymentId}/cancel`, Deployment),
    );
  }
  /** a running canary (strategy canary) takes every client now; 409 deployment/invalid-state when none runs */
  async promoteDeployment(deploymentId: string): Promise<Result<Deployment>> {
    return this.changed(await this.http.request('POST', pathOf`/deployments/${deploymentId}/promote`, Deployment));
  }
  /** a running canary is rolled back (the previous release serves every client, the deployment fails) */
  async abortDeployment(deploymentId: string): Promise<Result<Deployment>> {
    return this.changed(await this.http.request('POST', pathOf`/deployments/${deploymentId}/abort`, Deployment));
  }
  async retryDeployment(
    deploymentId: string,
    body: z.input<typeof RetryBody> = {},
  ): Promise<Result<Deployment>> {
    return this.changed(
      await this.http.request('POST', pathOf`/deployments/${deploymentId}/retry`, Deployment, { body }),
    );
  }
  /** re-release an earlier successful deployment's artifact (default: the one before `deploymentId`) */
  async rollback(deploymentId: string, body: z.input<typeof RollbackBody> = {}): Promise<Result<Deployment>> {
    return this.changed(
      await this.http.request('POST', pathOf`/deployments/${deploymentId}/rollback`, Deployment, { body }),
    );
  }
  /** approve a deployment awaiting approval (phase awaiting_approval); approving twice changes nothing */
  async approveDeployment(deploymentId: string, body: ApprovalBody = {}): Promise<Result<Deployment>> {
    return this.changed(await this.http.request('POST', pathOf`/deployments/${deploymentId}/approve`, Deployment, { body }));
  }
  /** reject a deployment awaiting approval: it ends canceled with the comment as its reason */
  async rejectDeployment(deploymentId: string, body: ApprovalBody = {}): Promise<Result<Deployment>> {
    return this.changed(await this.http.request('POST', pathOf`/deployments/${deploymentId}/reject`, Deployment, { body }));
  }
  getResults(deploymentId: string) {
    return this.http.request('GET', pathOf`/deployments/${deploymentId}/result`, DeploymentResult);
  }
  getMetrics(deploymentId: string) {
    return this.http.request('GET', pathOf`/deployments/${deploymentId}/metrics`, DeploymentMetrics);
  }
  /** its history (every status and phase with its time), oldest first, and the time spent in each */
  getProgress(deploymentId: string) {
    return this.http.request('GET', pathOf`/deployments/${deploymentId}/progress`, getDeploymentProgress.reply);
  }
  /** what differs from deployment `against` (of the same project) to this one: variables and settings */
  getConfigDiff(deploymentId: string, against: string) {
    return this.http.request('GET', pathOf`/deployments/${deploymentId}/config-diff`, ConfigurationDiff, {
      query: { against },
    });
  }

  /** success rate, percentiles of times (overall and per phase) and top errors over a window (default 30 days) */
  getAnalytics(projectId: string, opts: AnalyticsQuery = {}) {
    return this.http.request('GET', pathOf`/projects/${projectId}/analytics`, DeploymentAnalytics, {
      query: { environmentId: opts.environmentId, from: opts.from, to: opts.to },
    });
  }

  // ---- logs

  /** one page of stored lines: after afterSeq, or the last `tail` */
  getLogs(deploymentId: string, opts: GetLogsOptions = {}): Promise<Result<LogLinePage>> {
    const { afterSeq, limit, tail, level, step, source } = opts;
    return this.http.request('GET', pathOf`/deployments/${deploymentId}/logs`, LogLinePage, {
      query: { afterSeq, limit, tail, level, step, source },
    });
  }

  /**
   * Every line in seq order, each once. Without `follow`, the stored lines page by page. With it,
   * live over Socket.IO until the deployment's explicit `end` event: Socket.IO rather than the SSE
   * route because socket.io-client runs unchanged in Node 20 and browsers with the token in its
   * handshake (a browser's EventSource cannot send an Authorization header), reconnects by itself
   * (the subscription is renewed from the last seq seen, so nothing is lost or repeated), and is
   * the connection the status subscriptions share. Lines a slow reader was skipped past (`gap`)
   * are read from storage in their place.
   */
  streamLogs(deploymentId: string, opts: StreamLogsOptions = {}): LogStream {
    return streamLogs(
      {
        page: (id, q) => this.getLogs(id, q),
        subscribe: (id, afterSeq, f, listener) =>
          this.live.subscribeDeployment({ deploymentId: id, afterSeq, ...f }, listener),
        unsubscribe: (id, listener) => this.live.removeDeploymentListener(id, listener),
      },
      deploymentId,
      opts,
    );
  }

  // ---- live status

  /**
   * Calls `onStatus` on every status or phase change of the deployment from now on (after one call
   * with its current state); the Result holds the unsubscribe function.
   */
  async subscribeToDeploymentStatus(
    deploymentId: string,
    onStatus: (d: Deployment) => void,
  ): Promise<Result<() => void>> {
    const current = await this.http.request(
      'GET',
      pathOf`/deployments/${deploymentId}`,
      DeploymentWithLogVolume,
    );
    if (!current.ok) return current;
    const projectId = current.data.projectId;
    const sub = await this.live.subscribeProject(projectId, (p) => {
      if (p.deployment.id === deploymentId) onStatus(p.deployment);
    });
    if (!sub.ok) return sub;
    onStatus(current.data);
    // after a reconnect (a gateway restart) the changes made meanwhile are read, not waited for
    const renewed = (id: string) => {
      if (id !== projectId) return;
      void this.http.request('GET', pathOf`/deployments/${deploymentId}`, DeploymentWithLogVolume).then((r) => {
        if (r.ok && this.live.projectRenewedObservers.has(renewed)) onStatus(r.data);
      });
    };
    this.live.projectRenewedObservers.add(renewed);
    return ok(() => {
      this.live.projectRenewedObservers.delete(renewed);
      sub.data();
    });
  }

  /** every status or phase change of any deployment of the project from now on; the Result holds the unsubscribe function */
  async subscribeToProjectDeployments(
    projectId: string,
    onStatus: (p: StatusPayload) => void,
    opts: {
      /** the subscription was renewed after a reconnect: events sent meanwhile are not replayed, read the list again */
      onRenewed?: () => void;
    } = {},
  ): Promise<Result<() => void>> {
    const sub = await this.live.subscribeProject(projectId, onStatus);
    const { onRenewed } = opts;
    if (!sub.ok || !onRenewed) return sub;
    const renewed = (id: string) => id === projectId && onRenewed();
    this.live.projectRenewedObservers.add(renewed);
    return ok(() => {
      this.live.projectRenewedObservers.delete(renewed);
      sub.data();
    });
  }

  // ---- webhooks

  /** forward a GitHub webhook delivery, body and headers as received, to POST /webhooks/github */
  handleWebhook(delivery: WebhookDelivery) {
    // lower-cased (HTTP header names are case-insensitive; fetch would join two spellings), minus the hop-by-hop ones
    const headers = Object.fromEntries(
      Object.entries(delivery.headers)
        .map(([k, v]) => [k.toLowerCase(), v] as const)
        .filter(
          ([k]) =>
            !['host', 'content-length', 'connection', 'authorization', 'transfer-encoding'].includes(k),
        ),
    );
    return this.http.request('POST', '/webhooks/github', WebhookReceipt, {
      rawBody: delivery.body,
      contentType: headers['content-type'] ?? 'application/json',
      headers,
    });
  }

  /** whether the project has a webhook secret, and since when (never the secret) */
  getWebhookSettings(projectId: string) {
    return this.http.request('GET', pathOf`/projects/${projectId}/webhook`, WebhookSettings);
  }
  /** generate or rotate the project's webhook secret: shown in this answer only */
  rotateWebhookSecret(projectId: string) {
    return this.http.request('POST', pathOf`/projects/${projectId}/webhook/secret`, CreatedWebhookSecret);
  }
  /** the project's latest deliveries, newest first, with what each did */
  listWebhookDeliveries(projectId: string, opts: { limit?: number } = {}) {
    return this.http.request('GET', pathOf`/projects/${projectId}/webhook/deliveries`, WebhookDeliveryList, {
      query: { limit: opts.limit },
    });
  }

  // ---- tokens, members, audit

  createToken(body: CreateTokenRequest) {
    return this.http.request('POST', '/tokens', CreatedToken, { body });
  }
  listTokens(opts: { userId?: string } = {}) {
    return this.http.request('GET', '/tokens', listOf(ApiTokenView), { query: { userId: opts.userId } });
  }
  revokeToken(tokenId: string) {
    return this.http.request('DELETE', pathOf`/tokens/${tokenId}`, ApiTokenView);
  }
  listMembers(projectId: string) {
    return this.http.request('GET', pathOf`/projects/${projectId}/members`, ProjectMemberList);
  }
  setMember(projectId: string, userId: string, role: ProjectRole) {
    return this.http.request('PUT', pathOf`/projects/${projectId}/members/${userId}`, ProjectMember, {
      body: { role },
    });
  }
  removeMember(projectId: string, userId: string) {
    return this.http.request('DELETE', pathOf`/projects/${projectId}/members/${userId}`, ProjectMember);
  }
  /** the project's audit log, newest first; `before`: the previous page's nextBefore */
  getProjectAudit(projectId: string, opts: Partial<AuditQuery> = {}) {
    return this.http.request('GET', pathOf`/projects/${projectId}/audit`, AuditPage, {
      query: { limit: opts.limit, before: opts.before },
    });
  }
  /** every service instance answering now and what `npm start` supervises (platform admins) */
  getSystemStatus() {
    return this.http.request('GET', '/system/status', SystemStatus);
  }
  /** the whole audit log (platform admins) */
  getSystemAudit(opts: Partial<AuditQuery> & { projectId?: string } = {}) {
    return this.http.request('GET', '/audit', AuditPage, {
      query: { limit: opts.limit, before: opts.before, projectId: opts.projectId },
    });
  }
}
