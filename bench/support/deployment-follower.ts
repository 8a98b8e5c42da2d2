import { io, type Socket } from 'socket.io-client';
import {
  type ClientToServerEvents,
  DEPLOYMENTS_NAMESPACE,
  type EndPayload,
  type LogsPayload,
  type ServerToClientEvents,
  type StatusPayload,
} from '@flightdeck/contracts';

type FollowSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface FollowerHandlers {
  onLogs?(payload: LogsPayload): void;
  onStatus?(payload: StatusPayload): void;
}

// One Socket.IO follower of the /deployments namespace, as the CLI or a dashboard tab is: connect
// first, then subscribe to a deployment from seq 0 and read until its `end` event.
export class DeploymentFollower {
  private readonly socket: FollowSocket;
  private readonly connected: Promise<void>;

  constructor(gatewayUrl: string, token: string) {
    this.socket = io(`${gatewayUrl}${DEPLOYMENTS_NAMESPACE}`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
    });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (e) => reject(new Error(`follower could not connect: ${e.message}`)));
    });
  }

  /** resolves with the `end` event; rejects on a refused subscription, a disconnect or `signal` */
  async follow(deploymentId: string, handlers: FollowerHandlers, signal: AbortSignal): Promise<EndPayload> {
    await this.connected;
    return new Promise<EndPayload>((resolve, reject) => {
      const fail = (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      };
      const onAbort = () => fail(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      if (handlers.onLogs) this.socket.on('logs', handlers.onLogs);
      if (handlers.onStatus) this.socket.on('status', handlers.onStatus);
      this.socket.on('disconnect', (reason) => fail(new Error(`follower disconnected: ${reason}`)));
      this.socket.on('end', (p) => {
        if (p.deploymentId !== deploymentId) return;
        signal.removeEventListener('abort', onAbort);
        resolve(p);
      });
      this.socket.emit('subscribe', { deploymentId, afterSeq: 0 }, (ack) => {
        if (!ack.ok) fail(new Error(`subscribe refused: ${ack.error.code} ${ack.error.message}`));
      });
    });
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.close();
  }
}
