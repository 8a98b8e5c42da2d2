import { Inject, Logger } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import {
  type ClientToServerEvents,
  DEPLOYMENTS_NAMESPACE,
  type ServerToClientEvents,
  type SubscribeAck,
  type SubscribeProjectAck,
  SocketEvents,
} from '@flightdeck/contracts';
import type { Caller } from '../access/caller';
import { ProjectAccessService } from '../access/project-access.service';
import { TokenVerifier } from '../auth/token-verifier';
import { ConnectionFlow } from './connection-flow';
import { unsentBytes } from './connection-backlog';
import { handshakeAuth } from './handshake-auth';
import { LiveBroadcast } from './live-broadcast';
import type { FollowerSink } from './live-follower';
import { LiveSubscriptions } from './live-subscriptions.service';
import { ProjectSubscriptions } from './project-subscriptions';
import { LIVE_SETTINGS, type LiveSettings } from './live.settings';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

// a dropped client that reads again within this long still gets the reason and the close
const CLOSE_GRACE_MS = 10_000;

// Socket.IO /deployments: translates socket events to subscriptions and nothing else.
@WebSocketGateway({ namespace: DEPLOYMENTS_NAMESPACE })
export class DeploymentsLiveGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<LiveSocket>, OnGatewayDisconnect<LiveSocket> {
  private readonly logger = new Logger(DeploymentsLiveGateway.name);
  private readonly flows = new Map<string, ConnectionFlow>();
  private readonly sockets = new Map<string, LiveSocket>();
  // per connection: the projects it follows, and how to stop each
  private readonly projectStops = new Map<string, Map<string, () => void>>();

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly subscriptions: LiveSubscriptions,
    @Inject(LIVE_SETTINGS) private readonly settings: LiveSettings,
    private readonly broadcast: LiveBroadcast,
    private readonly access: ProjectAccessService,
    private readonly projects: ProjectSubscriptions,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use(handshakeAuth(this.verifier));
    this.broadcast.attach(namespace);
  }

  handleConnection(socket: LiveSocket): void {
    this.subscriptions.connect(socket.id);
    const flow = new ConnectionFlow(() => unsentBytes(socket), this.settings.flow, () => this.drop(socket));
    this.flows.set(socket.id, flow);
    this.sockets.set(socket.id, socket);
    const sink: FollowerSink = {
      connectionId: socket.id,
      logs: (p) => socket.emit(SocketEvents.logs, p),
      status: (p) => socket.emit(SocketEvents.status, p),
      end: (p) => socket.emit(SocketEvents.end, p),
      gap: (p) => socket.emit(SocketEvents.gap, p),
      ready: () => flow.ready(),
      whenReady: (wake) => flow.whenReady(wake),
    };
    socket.on(SocketEvents.subscribe, (req: unknown, ack?: (a: SubscribeAck) => void) => {
      this.subscriptions
        .subscribe(socket.id, req, sink, (projectId) => this.access.mayRead(socket.data.caller as Caller, projectId))
        .then(({ ack: answer, start }) => {
          if (typeof ack === 'function') ack(answer);
          start?.();
        })
        .catch((e) => this.logger.error({ err: (e as Error).message }, 'subscribe failed'));
    });
    const following = new Map<string, () => void>();
    this.projectStops.set(socket.id, following);
    socket.on(SocketEvents.subscribeProject, (req: unknown, ack?: (a: SubscribeProjectAck) => void) => {
      const mayRead = (projectId: string) => this.access.mayRead(socket.data.caller as Caller, projectId);
      this.projects
        .subscribe(req, mayRead, (p) => socket.emit(SocketEvents.projectStatus, p))
        .then((outcome) => {
          if (!outcome.ok) return typeof ack === 'function' && ack(outcome);
          const projectId = (req as { projectId: string }).projectId;
          // gone meanwhile, or subscribed twice: one listener per project and connection
          if (!this.sockets.has(socket.id) || following.has(projectId)) outcome.stop();
          else following.set(projectId, outcome.stop);
          if (typeof ack === 'function') ack({ ok: true, projectId });
        })
        .catch((e) => this.logger.error({ err: (e as Error).message }, 'project subscribe failed'));
    });
    socket.on(SocketEvents.unsubscribeProject, (req: unknown, ack?: (a: { ok: true }) => void) => {
      const projectId = (req as { projectId?: unknown } | undefined)?.projectId;
      if (typeof projectId === 'string') {
        following.get(projectId)?.();
        following.delete(projectId);
      }
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on(SocketEvents.unsubscribe, (req: unknown, ack?: (a: { ok: true }) => void) => {
      const deploymentId = (req as { deploymentId?: unknown } | undefined)?.deploymentId;
      if (typeof deploymentId === 'string') this.subscriptions.unsubscribe(socket.id, deploymentId);
      if (typeof ack === 'function') ack({ ok: true });
    });
  }

  /** bytes held for every client and not yet written to the network (each bounded by flow.maxBacklogBytes and one emit) */
  unsentBytes(): number {
    return [...this.sockets.values()].reduce((n, s) => n + unsentBytes(s), 0);
  }

  get connections(): number {
    return this.sockets.size;
  }

  handleDisconnect(socket: LiveSocket): void {
    this.sockets.delete(socket.id);
    this.flows.get(socket.id)?.close();
    this.flows.delete(socket.id);
    this.subscriptions.disconnect(socket.id);
    this.projectStops.get(socket.id)?.forEach((stop) => stop());
    this.projectStops.delete(socket.id);
  }

  // The client took nothing for stalledDisconnectMs: its followers go at once; the reason and the
  // close are queued behind what it has not read, and if it does not read them within the grace
  // the connection is closed without waiting.
  private drop(socket: LiveSocket): void {
    const { stalledDisconnectMs } = this.settings.flow;
    this.logger.warn({ clientId: socket.id, unsentBytes: unsentBytes(socket), stalledDisconnectMs }, 'slow live client disconnected');
    socket.emit(SocketEvents.dropped, { reason: 'slow-consumer', message: `the connection took nothing for ${stalledDisconnectMs / 1000} s; reconnect and subscribe with afterSeq` });
    socket.disconnect(true);
    setTimeout(() => socket.conn.readyState !== 'closed' && socket.conn.close(true), CLOSE_GRACE_MS).unref();
  }
}
