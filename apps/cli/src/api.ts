import { DeploymentClient } from '@flightdeck/client';
import {
  Caller,
  type CreateEnvironmentBody,
  type CreateTokenRequest,
  type Deployment,
  type ErrorBody,
  type LogLine,
  type LogSource,
  type ProjectRole,
  type Result,
  type TriggerDeploymentBody,
  User,
  type VariableTarget,
  isTerminal,
  listOf,
} from '@flightdeck/contracts';

export interface FollowHandlers {
  line(l: LogLine): void;
  status(d: Deployment): void;
}

/** thrown by `must`: an API error, printed as `error <code>: <message>` by the program */
export class ApiFailure extends Error {
  constructor(readonly error: ErrorBody) {
    super(`${error.code}: ${error.message}`);
  }
}

export const must = async <T>(r: Promise<Result<T>>): Promise<T> => {
  const res = await r;
  if (!res.ok) throw new ApiFailure(res.error);
  return res.data;
};

/** variables of an environment, or the project-wide ones */
export type VariableScope = { environmentId: string } | { projectId: string };

// The client answers a network failure as service/unavailable "cannot reach …": the CLI gives that its own exit code.
const tagged = async <T>(r: Promise<Result<T>>): Promise<Result<T>> => {
  const res = await r;
  if (!res.ok && res.error.code === 'service/unavailable' && res.error.message.startsWith('cannot reach')) {
    return { ok: false, error: { ...res.error, details: { unreached: true } } };
  }
  return res;
};

/**
 * What the commands call: @flightdeck/client's DeploymentClient, plus the two routes it has no
 * method for (GET /me, GET /users, through its own typed transport), the CLI's choice between an
 * environment's and a project's variables, and a followed log with its status changes.
 */
export class FlightdeckApi {
  readonly client: DeploymentClient;

  constructor(
    readonly baseUrl: string,
    token: string,
  ) {
    this.client = new DeploymentClient({ baseUrl, token });
  }

  me = () => tagged(this.client.http.request('GET', '/me', Caller));
  listUsers = () => tagged(this.client.http.request('GET', '/users', listOf(User)));

  listProjects = () => tagged(this.client.listProjects());
  createProject = (body: { name: string; repositoryUrl: string; defaultBranch?: string }) => tagged(this.client.createProject(body));
  listEnvironments = (projectId: string) => tagged(this.client.listEnvironments(projectId));
  createEnvironment = (projectId: string, body: CreateEnvironmentBody) => tagged(this.client.createEnvironment(projectId, body));

  listVariables = (s: VariableScope, effective = false) =>
    tagged('environmentId' in s ? this.client.listVariables(s.environmentId, { effective }) : this.client.listProjectVariables(s.projectId));
  setVariable = (s: VariableScope, key: string, input: { value: string; sensitive?: boolean; target?: VariableTarget }) =>
    tagged('environmentId' in s ? this.client.setVariable(s.environmentId, key, input) : this.client.setProjectVariable(s.projectId, key, input));
  importVariables = (s: VariableScope, dotenv: string, opts: { partial?: boolean; sensitive?: boolean; target?: VariableTarget }) =>
    tagged('environmentId' in s ? this.client.importVariables(s.environmentId, dotenv, opts) : this.client.importProjectVariables(s.projectId, dotenv, opts));

  triggerDeployment = (projectId: string, body: TriggerDeploymentBody, idempotencyKey?: string) => tagged(this.client.triggerDeployment(projectId, body, { idempotencyKey }));
  listDeployments = (projectId: string, opts: { limit?: number; offset?: number; status?: Deployment['status'] }) => tagged(this.client.listDeployments(projectId, opts));
  getDeployment = (id: string) => tagged(this.client.getDeployment(id));
  cancelDeployment = (id: string) => tagged(this.client.cancelDeployment(id));
  promoteDeployment = (id: string) => tagged(this.client.promoteDeployment(id));
  abortDeployment = (id: string) => tagged(this.client.abortDeployment(id));
  retryDeployment = (id: string) => tagged(this.client.retryDeployment(id));
  rollback = (id: string, targetDeploymentId?: string) => tagged(this.client.rollback(id, targetDeploymentId ? { targetDeploymentId } : {}));
  approveDeployment = (id: string, comment?: string) => tagged(this.client.approveDeployment(id, comment ? { comment } : {}));
  rejectDeployment = (id: string, comment?: string) => tagged(this.client.rejectDeployment(id, comment ? { comment } : {}));
  getEnvironmentPause = (projectId: string, environmentId: string) => tagged(this.client.getEnvironmentPause(projectId, environmentId));
  resumeEnvironment = (projectId: string, environmentId: string) => tagged(this.client.resumeEnvironment(projectId, environmentId));
  getLogs = (id: string, opts: { afterSeq?: number; limit?: number; tail?: number; source?: LogSource }) => tagged(this.client.getLogs(id, opts));

  /**
   * A succeeded deployment's runtime lines (its release's own output) after afterSeq, live, until
   * `signal` aborts: they have no end. A lost stream is opened again from the last line seen.
   */
  async followRuntime(deploymentId: string, afterSeq: number, line: (l: LogLine) => void, signal: AbortSignal): Promise<void> {
    let lastSeq = afterSeq;
    try {
      while (!signal.aborted) {
        const stream = this.client.streamLogs(deploymentId, { follow: true, afterSeq: lastSeq, source: 'runtime' });
        const stop = () => stream.close();
        signal.addEventListener('abort', stop, { once: true });
        for await (const l of stream) {
          lastSeq = l.seq;
          line(l);
        }
        signal.removeEventListener('abort', stop);
        await stream.done;
        if (!signal.aborted) await new Promise((r) => setTimeout(r, 1_000));
      }
    } finally {
      this.client.close();
    }
  }

  listTokens = (userId?: string) => tagged(this.client.listTokens(userId ? { userId } : {}));
  createToken = (body: CreateTokenRequest) => tagged(this.client.createToken(body));
  revokeToken = (id: string) => tagged(this.client.revokeToken(id));
  listMembers = (projectId: string) => tagged(this.client.listMembers(projectId));
  setMember = (projectId: string, userId: string, role: ProjectRole) => tagged(this.client.setMember(projectId, userId, role));
  removeMember = (projectId: string, userId: string) => tagged(this.client.removeMember(projectId, userId));

  /**
   * The deployment's log after afterSeq, live, in order, each line once, until it ends (the
   * client's streamLogs); then the deployment as it ended. A stream that fails (a lost gateway,
   * a handshake refused under load) or ends before the deployment does is opened again after the
   * last line shown, up to 5 times in a row. Aborted (--timeout): the deployment as it is now.
   */
  async follow(deploymentId: string, afterSeq: number, on: FollowHandlers, signal?: AbortSignal): Promise<Result<Deployment>> {
    let lastSeq = afterSeq;
    let failures = 0;
    try {
      for (;;) {
        const stream = this.client.streamLogs(deploymentId, { follow: true, afterSeq: lastSeq, onStatus: (p) => on.status(p.deployment) });
        const stop = () => stream.close();
        signal?.addEventListener('abort', stop, { once: true });
        for await (const line of stream) {
          lastSeq = line.seq;
          failures = 0;
          on.line(line);
        }
        signal?.removeEventListener('abort', stop);
        const end = await stream.done;
        const d = await this.getDeployment(deploymentId);
        if (signal?.aborted || (d.ok && isTerminal(d.data.status))) return d;
        if (++failures >= 5) return end.ok ? d : tagged(Promise.resolve(end));
        await new Promise((r) => setTimeout(r, 1_000));
      }
    } finally {
      this.client.close();
    }
  }
}
