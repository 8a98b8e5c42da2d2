import { type Socket, io } from 'socket.io-client';
import type { z } from 'zod';
import {
  DEPLOYMENTS_NAMESPACE,
  type EndPayload,
  type ErrorBody,
  ErrorBodySchema,
  ErrorCode,
  type GapPayload,
  type LogsPayload,
  type Result,
  ServerEventSchemas,
  type StatusPayload,
  SubscribeAck,
  SubscribeProjectAck,
  type SubscribeRequest,
  SocketEvents,
  err,
  ok,
} from '@flightdeck/contracts';

/** what one deployment subscription receives, each payload parsed by its contract schema */
export interface DeploymentListener {
  logs?(p: LogsPayload): void;
  status?(p: StatusPayload): void;
  end?(p: EndPayload): void;
  gap?(p: GapPayload): void;
  /** the connection was lost and came back: the subscription is being renewed from `afterSeq()` */
  afterSeq(): number;
  /** the subscription cannot go on (the gateway refused it again, or stayed unreachable) */
  error?(e: ErrorBody): void;
}

type ProjectListener = (p: StatusPayload) => void;

const ACK_TIMEOUT_MS = 10_000;
const RETRY_MS = 1_000;
const RENEW_ATTEMPTS = 10;

/**
 * One Socket.IO connection to the gateway's `/deployments` namespace, opened on first use and
 * shared by every subscription of a client. socket.io-client runs unchanged in Node 20 and in
 * browsers, reconnects by itself, and carries the token in the handshake; after a reconnect each
 * subscription is renewed (a deployment's from the last seq it saw, so nothing comes twice).
 * Every payload is parsed with the contract schemas: one that does not parse is dropped and
 * reported to `onInvalidEvent`, never handed on.
 */
export class LiveConnection {
  private socket: Socket | undefined;
  private readonly deployments = new Map<string, Set<DeploymentListener>>();
  private readonly projects = new Map<string, Set<ProjectListener>>();
  /** each project's subscribeProject answer (undefined: subscribed; else why not) */
  private readonly projectAcks = new Map<string, Promise<ErrorBody | undefined>>();
  /** subscriptions waiting for their ack: told at once when the gateway refuses the connection */
  private readonly waiting = new Set<(e: ErrorBody) => void>();
  /** every status payload, whatever the subscription (the read cache listens here) */
  readonly statusObservers = new Set<(p: StatusPayload) => void>();
  /**
   * Called with a project's id once its subscription is renewed after a reconnect: status events
   * sent while the connection was down are not replayed, so a reader of the current state reads it
   * again (subscribeToDeploymentStatus does).
   */
  readonly projectRenewedObservers = new Set<(projectId: string) => void>();

  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly onInvalidEvent: (event: string, message: string) => void = () => {},
  ) {}

  private connect(): Socket {
    if (this.socket) return this.socket;
    const url = this.baseUrl.replace(/\/+$/, '') + DEPLOYMENTS_NAMESPACE;
    // websocket only: no long-polling session to keep sticky when several gateways share the URL
    const socket = io(url, {
      auth: this.token ? { token: this.token } : {},
      transports: ['websocket'],
      reconnectionDelayMax: 5_000,
    });
    this.socket = socket;
    const on = <E extends keyof typeof ServerEventSchemas>(
      event: E,
      handle: (p: z.infer<(typeof ServerEventSchemas)[E]>) => void,
    ) =>
      socket.on(event as string, (raw: unknown) => {
        const parsed = ServerEventSchemas[event].safeParse(raw);
        if (parsed.success) handle(parsed.data as z.infer<(typeof ServerEventSchemas)[E]>);
        else this.onInvalidEvent(event, parsed.error.message);
      });
    on('logs', (p) => this.deployments.get(p.deploymentId)?.forEach((l) => l.logs?.(p)));
    on('gap', (p) => this.deployments.get(p.deploymentId)?.forEach((l) => l.gap?.(p)));
    on('end', (p) => this.deployments.get(p.deploymentId)?.forEach((l) => l.end?.(p)));
    on('status', (p) => {
      this.statusObservers.forEach((o) => o(p));
      this.deployments.get(p.deployment.id)?.forEach((l) => l.status?.(p));
    });
    on('projectStatus', (p) => {
      this.statusObservers.forEach((o) => o(p));
      this.projects.get(p.deployment.projectId)?.forEach((l) => l(p));
    });
    // the server closed us (slow consumer): come back, and the subscriptions are renewed below
    on('dropped', () => undefined);
    // refused by the gateway's handshake (a bad token): socket.io does not retry that, so every
    // waiting subscription is answered with the gateway's error, and the next use connects anew
    socket.on('connect_error', (e: Error & { data?: unknown }) => {
      if (socket.active) return;
      const parsed = ErrorBodySchema.safeParse(e.data);
      const error = parsed.success
        ? parsed.data
        : {
            code: ErrorCode.ServiceUnavailable,
            message: `live connection to ${this.baseUrl} refused: ${e.message}`,
          };
      this.waiting.forEach((w) => w(error));
      // the gateway could not check the token just now (overloaded, its bus slow): subscriptions
      // already made are kept and the connection tried again; any other refusal ends them
      if (error.code === ErrorCode.ServiceUnavailable && this.deployments.size + this.projects.size > 0) {
        setTimeout(() => this.socket === socket && socket.connect(), RETRY_MS);
        return;
      }
      if (this.socket === socket) this.socket = undefined;
      for (const id of [...this.deployments.keys()]) this.failDeployment(id, error);
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') socket.connect();
    });
    // a connection after the first one (the manager's reconnect, or ours after the server closed
    // us): the gateway forgot our subscriptions, renew them; the first one sends what was buffered
    let connectedBefore = false;
    socket.on('connect', () => {
      if (connectedBefore) this.renew();
      connectedBefore = true;
    });
    return socket;
  }

  private renew() {
    for (const deploymentId of this.deployments.keys()) this.renewDeployment(deploymentId, 0);
    for (const projectId of this.projects.keys()) this.renewProject(projectId, 0);
  }

  // A renewal the gateway could not answer (unavailable) is tried again, up to RENEW_ATTEMPTS; one
  // it refuses ends the subscription with its error, so that no follower waits for ever.
  private renewDeployment(deploymentId: string, attempt: number) {
    const listeners = this.deployments.get(deploymentId);
    if (!listeners?.size) return;
    const afterSeq = Math.min(...[...listeners].map((l) => l.afterSeq()));
    void this.emitSubscribe({ deploymentId, afterSeq }).then((r) => {
      const error = !r.ok ? r.error : !r.data.ok ? r.data.error : undefined;
      if (!error) return;
      if (error.code === ErrorCode.ServiceUnavailable && attempt < RENEW_ATTEMPTS) {
        setTimeout(() => this.renewDeployment(deploymentId, attempt + 1), RETRY_MS);
      } else this.failDeployment(deploymentId, error);
    });
  }

  private renewProject(projectId: string, attempt: number) {
    if (!this.projects.get(projectId)?.size) return;
    void this.emitSubscribeProject(projectId).then((r) => {
      const error = !r.ok ? r.error : !r.data.ok ? r.data.error : undefined;
      if (!error) this.projectRenewedObservers.forEach((o) => o(projectId));
      if (error?.code === ErrorCode.ServiceUnavailable && attempt < RENEW_ATTEMPTS) {
        setTimeout(() => this.renewProject(projectId, attempt + 1), RETRY_MS);
      }
    });
  }

  private failDeployment(deploymentId: string, error: ErrorBody) {
    for (const l of [...(this.deployments.get(deploymentId) ?? [])]) l.error?.(error);
  }

  private async emitWithAck<S extends z.ZodTypeAny>(
    event: string,
    payload: unknown,
    schema: S,
  ): Promise<Result<z.infer<S>>> {
    const socket = this.connect();
    // our own timer rather than socket.timeout(): it is cleared when a refusal answers first, so
    // nothing is left pending to keep a process alive
    return new Promise((resolve) => {
      const settle = (r: Result<z.infer<S>>) => {
        clearTimeout(timer);
        this.waiting.delete(refused);
        resolve(r);
      };
      const refused = (error: ErrorBody) => settle({ ok: false, error });
      this.waiting.add(refused);
      const timer = setTimeout(
        () =>
          settle(
            err(
              ErrorCode.ServiceUnavailable,
              `no answer to ${event} from ${this.baseUrl} within ${ACK_TIMEOUT_MS / 1000} s`,
            ),
          ),
        ACK_TIMEOUT_MS,
      );
      socket.emit(event, payload, (raw: unknown) => {
        const parsed = schema.safeParse(raw);
        settle(
          parsed.success
            ? ok(parsed.data)
            : err(
                ErrorCode.InvalidMessage,
                `the gateway's ${event} answer did not match this client's contract`,
              ),
        );
      });
    });
  }

  private async emitSubscribe(req: SubscribeRequest) {
    return this.emitWithAck(SocketEvents.subscribe, req, SubscribeAck);
  }
  private async emitSubscribeProject(projectId: string) {
    return this.emitWithAck(SocketEvents.subscribeProject, { projectId }, SubscribeProjectAck);
  }

  /** subscribe to a deployment's log and status from `afterSeq`; the ack's deployment, or why not */
  async subscribeDeployment(
    req: SubscribeRequest,
    listener: DeploymentListener,
  ): Promise<Result<StatusPayload['deployment']>> {
    const set = this.deployments.get(req.deploymentId) ?? new Set();
    set.add(listener);
    this.deployments.set(req.deploymentId, set);
    const ack = await this.emitSubscribe(req);
    const failed = !ack.ok ? ack : !ack.data.ok ? ({ ok: false, error: ack.data.error } as const) : undefined;
    if (failed) {
      this.removeDeploymentListener(req.deploymentId, listener);
      return failed;
    }
    return ok(
      (ack as { ok: true; data: { ok: true; deployment: StatusPayload['deployment'] } }).data.deployment,
    );
  }

  removeDeploymentListener(deploymentId: string, listener: DeploymentListener): void {
    const set = this.deployments.get(deploymentId);
    if (!set) return;
    set.delete(listener);
    if (set.size === 0) {
      this.deployments.delete(deploymentId);
      this.socket?.emit(SocketEvents.unsubscribe, { deploymentId });
    }
    this.closeIfIdle();
  }

  /** every status change of the project's deployments from now on */
  async subscribeProject(projectId: string, listener: ProjectListener): Promise<Result<() => void>> {
    const set = this.projects.get(projectId) ?? new Set();
    set.add(listener);
    this.projects.set(projectId, set);
    // one subscribeProject per project on this connection: later listeners share the first's answer
    let ack = this.projectAcks.get(projectId);
    if (!ack) {
      ack = this.emitSubscribeProject(projectId).then((r) =>
        !r.ok ? r.error : !r.data.ok ? r.data.error : undefined,
      );
      this.projectAcks.set(projectId, ack);
    }
    const error = await ack;
    if (error) {
      this.removeProjectListener(projectId, listener);
      return { ok: false, error };
    }
    return ok(() => this.removeProjectListener(projectId, listener));
  }

  private removeProjectListener(projectId: string, listener: ProjectListener) {
    const set = this.projects.get(projectId);
    if (!set) return;
    set.delete(listener);
    if (set.size === 0) {
      this.projects.delete(projectId);
      this.projectAcks.delete(projectId);
      this.socket?.emit(SocketEvents.unsubscribeProject, { projectId });
    }
    this.closeIfIdle();
  }

  // nothing listens any more: no socket left open to keep a Node process alive
  private closeIfIdle() {
    if (this.deployments.size === 0 && this.projects.size === 0 && this.socket) {
      this.socket.disconnect();
      this.socket = undefined;
    }
  }

  close(): void {
    this.deployments.clear();
    this.projects.clear();
    this.projectAcks.clear();
    this.socket?.disconnect();
    this.socket = undefined;
  }
}
