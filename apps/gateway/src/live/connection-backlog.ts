import type { Socket } from 'socket.io';

interface EnginePacket {
  data?: string | Buffer | ArrayBuffer;
}
interface WsLike {
  bufferedAmount?: number;
}

const sizeOf = (data: EnginePacket['data']): number => (typeof data === 'string' ? data.length : (data?.byteLength ?? 0));

/**
 * bytes this process holds for a client and has not written to the network: packets engine.io
 * keeps while its transport is busy, and what the WebSocket has queued (ws counts the socket's own
 * write buffer in bufferedAmount). Neither is public API of Socket.IO: read defensively, 0 when
 * absent (long polling, a closed connection).
 */
export const unsentBytes = (socket: Pick<Socket, 'conn'>): number => {
  const conn = socket.conn as unknown as { writeBuffer?: EnginePacket[]; transport?: { socket?: WsLike } };
  const queued = (conn.writeBuffer ?? []).reduce((n, p) => n + sizeOf(p.data), 0);
  return queued + (conn.transport?.socket?.bufferedAmount ?? 0);
};
