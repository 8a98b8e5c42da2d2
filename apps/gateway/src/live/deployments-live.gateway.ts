import { Logger } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import {
  type ClientToServerEvents,
  DEPLOYMENTS_NAMESPACE,
  type ServerToClientEvents,
  type SubscribeAck,
  SocketEvents,
} from '@flightdeck/contracts';
import { TokenVerifier } from '../auth/token-verifier';
import { handshakeAuth } from './handshake-auth';
import type { FollowerSink } from './live-follower';
import { LiveSubscriptions } from './live-subscriptions.service';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

// Socket.IO /deployments: translates socket events to subscriptions and nothing else.
@WebSocketGateway({ namespace: DEPLOYMENTS_NAMESPACE })
export class DeploymentsLiveGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<LiveSocket>, OnGatewayDisconnect<LiveSocket> {
  private readonly logger = new Logger(DeploymentsLiveGateway.name);

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly subscriptions: LiveSubscriptions,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use(handshakeAuth(this.verifier));
  }

  handleConnection(socket: LiveSocket): void {
    this.subscriptions.connect(socket.id);
    const sink: FollowerSink = {
      logs: (p) => socket.emit(SocketEvents.logs, p),
      status: (p) => socket.emit(SocketEvents.status, p),
      end: (p) => socket.emit(SocketEvents.end, p),
    };
    socket.on(SocketEvents.subscribe, (req: unknown, ack?: (a: SubscribeAck) => void) => {
      this.subscriptions
        .subscribe(socket.id, req, sink)
        .then(({ ack: answer, start }) => {
          if (typeof ack === 'function') ack(answer);
          start?.();
        })
        .catch((e) => this.logger.error({ err: (e as Error).message }, 'subscribe failed'));
    });
    socket.on(SocketEvents.unsubscribe, (req: unknown, ack?: (a: { ok: true }) => void) => {
      const deploymentId = (req as { deploymentId?: unknown } | undefined)?.deploymentId;
      if (typeof deploymentId === 'string') this.subscriptions.unsubscribe(socket.id, deploymentId);
      if (typeof ack === 'function') ack({ ok: true });
    });
  }

  handleDisconnect(socket: LiveSocket): void {
    this.subscriptions.disconnect(socket.id);
  }
}
