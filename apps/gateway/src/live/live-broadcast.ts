import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { type LogsPayload, SocketEvents } from '@flightdeck/contracts';

// One `logs` event to many connections at once: Socket.IO encodes it (and frames it for
// WebSocket) once for all of them, where an emit per connection encodes it once each. The feed
// uses it for the followers that are at the same seq and read everything (no filter).
@Injectable()
export class LiveBroadcast {
  private namespace?: Namespace;

  attach(namespace: Namespace): void {
    this.namespace = namespace;
  }

  /** false before the Socket.IO namespace is up: send one by one */
  logs(connectionIds: string[], payload: LogsPayload): boolean {
    if (!this.namespace) return false;
    this.namespace.to(connectionIds).emit(SocketEvents.logs, payload);
    return true;
  }
}
