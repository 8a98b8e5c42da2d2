import { Logger } from '@nestjs/common';
import { headers as natsHeaders, type JetStreamClient, type JsMsg } from 'nats';

const logger = new Logger('DeadLetters');

// Parks a message on deadletter.<durable> with the reason in headers, then ends its delivery. If it
// cannot be parked it is left to be redelivered rather than lost.
export async function deadLetter(js: JetStreamClient, durable: string, m: JsMsg, reason: string): Promise<void> {
  logger.error({ consumer: durable, subject: m.subject, streamSeq: m.seq, reason }, 'message dead-lettered');
  const h = natsHeaders();
  // header values may not hold line breaks, and zod's messages do
  h.set('Fd-Dead-Reason', reason.replace(/[\r\n]+/g, ' ').slice(0, 1_000));
  h.set('Fd-Original-Subject', m.subject);
  h.set('Fd-Original-Stream-Seq', String(m.seq));
  h.set('Fd-Consumer', durable);
  try {
    await js.publish(`deadletter.${durable}`, m.data, { headers: h, msgID: `${durable}:${m.info.stream}:${m.seq}` });
    m.term();
  } catch (e) {
    logger.error({ consumer: durable, err: (e as Error).message }, 'dead-letter publish failed');
    m.nak(5_000);
  }
}
