import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { RequestStrategy, type NatsConnection } from 'nats';
import { decodeJson } from './envelope.codec';

export interface CommandPacket {
  /** the encoded envelope (encoded by the caller, so it carries the caller's correlation id) */
  payload: Uint8Array;
  timeoutMs: number;
  /** scatter-gather: every instance answers, each reply is emitted until timeoutMs */
  all?: boolean;
}

// The client side of NatsCommandServer, as a Nest ClientProxy: `send(subject, packet)` is an
// observable of the decoded reply (or of every reply, for a broadcast). Bus wraps it with types.
export class NatsCommandClient extends ClientProxy {
  constructor(private readonly nc: NatsConnection) {
    super();
  }

  async connect(): Promise<NatsConnection> {
    return this.nc;
  }

  // the connection belongs to MessagingModule, which drains it on shutdown
  close() {}

  unwrap<T>(): T {
    return this.nc as T;
  }

  protected publish(packet: ReadPacket<CommandPacket>, callback: (packet: WritePacket) => void): () => void {
    const { payload, timeoutMs, all } = packet.data;
    if (all) void this.gather(packet.pattern, payload, timeoutMs, callback);
    else {
      this.nc.request(packet.pattern, payload, { timeout: timeoutMs }).then(
        (m) => callback({ response: decodeJson(m.data), isDisposed: true }),
        (err: unknown) => callback({ err, isDisposed: true }),
      );
    }
    return () => undefined;
  }

  protected dispatchEvent(): Promise<never> {
    return Promise.reject(new Error('facts are published through the outbox, not emitted'));
  }

  private async gather(subject: string, payload: Uint8Array, maxWait: number, callback: (packet: WritePacket) => void) {
    try {
      const replies = await this.nc.requestMany(subject, payload, { strategy: RequestStrategy.Timer, maxWait });
      for await (const m of replies) callback({ response: decodeJson(m.data), isDisposed: false });
      callback({ isDisposed: true });
    } catch (err) {
      callback({ err, isDisposed: true });
    }
  }
}
