import { connect, type NatsConnection, type Subscription } from 'nats';
import type { CommandDefinition, CommandReply, CommandRequest, MessageEnvelope, Result } from '@flightdeck/contracts';
import { ErrorCode, err } from '@flightdeck/contracts';
import { decodeEnvelope, encodeJson } from '@flightdeck/messaging';
import type { NatsServer } from '@flightdeck/testing';

export interface Received<C extends CommandDefinition> {
  data: CommandRequest<C>;
  envelope: MessageEnvelope;
}

// Stands in on the real NATS for a service that is built elsewhere: parses each request with the
// command's own schema, as the real handler would, and answers with what the test says.
export class FakeResponders {
  private readonly subs: Subscription[] = [];

  private constructor(private readonly nc: NatsConnection) {}

  /** as the server's admin user: the fakes answer for several services */
  static async connect(nats: Pick<NatsServer, 'connectOptions'>): Promise<FakeResponders> {
    return new FakeResponders(await connect({ ...nats.connectOptions(), name: 'fake-responders' }));
  }

  /** resolves once the server knows the subscription, so the next request finds it */
  async respond<C extends CommandDefinition>(
    command: C,
    answer: (data: CommandRequest<C>) => Result<CommandReply<C>>,
  ): Promise<Received<C>[]> {
    const received: Received<C>[] = [];
    const sub = this.nc.subscribe(command.subject, {
      callback: (_e, msg) => {
        const decoded = decodeEnvelope(msg.data);
        if (!decoded.ok) return msg.respond(encodeJson(err(ErrorCode.InvalidMessage, decoded.reason)));
        const parsed = command.request.safeParse(decoded.envelope.data);
        if (!parsed.success) return msg.respond(encodeJson(err(ErrorCode.InvalidInput, parsed.error.message)));
        received.push({ data: parsed.data, envelope: decoded.envelope });
        msg.respond(encodeJson(answer(parsed.data)));
      },
    });
    this.subs.push(sub);
    await this.nc.flush();
    return received;
  }

  /** stop answering every command: requests then find no responder */
  async clear() {
    await Promise.all(this.subs.splice(0).map((s) => s.drain()));
  }

  async close() {
    await this.nc.drain();
  }
}
