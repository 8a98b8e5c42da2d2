import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NatsConnection } from 'nats';
import {
  type CommandReply,
  type CommandRequest,
  ErrorCode,
  type Result,
  err,
  ok,
} from '@flightdeck/contracts';
import {
  Bus,
  HandleCommand,
  MessagingModule,
  NATS_CONNECTION,
  decodeJson,
  encodeEnvelope,
  encodeJson,
  startBusTransports,
} from '@flightdeck/messaging';
import { type NatsServer, startNats } from '../src';
import { sleep } from './support/messaging-harness';
import { probeGreet, probeUnserved } from './support/probe-schema';

jest.setTimeout(60_000);

type Greet = typeof probeGreet;

@Controller()
class GreetHandler {
  @HandleCommand(probeGreet)
  async greet(req: CommandRequest<Greet>): Promise<Result<CommandReply<Greet>>> {
    if (req.name === 'ghost')
      return err(ErrorCode.DeploymentNotFound, 'no deployment named ghost', { name: req.name });
    if (req.name === 'sloth') await sleep(1_500);
    if (req.name === 'crash') throw new Error('secret internals in a stack trace');
    return ok({ greeting: `hello ${req.name}` });
  }
}

const app = async (natsUrl: string, serviceName: string, controllers: (new (...args: never[]) => unknown)[] = []) => {
  @Module({ imports: [MessagingModule.forRoot({ serviceName, natsUrl })], controllers })
  class ProbeModule {}
  const nest = await NestFactory.create(ProbeModule, { logger: false });
  await nest.init();
  await startBusTransports(nest);
  return nest;
};

// Request/reply between two services over a real NATS: every outcome is a Result with a stable code.
describe('Bus.request and @HandleCommand', () => {
  let nats: NatsServer;
  let server: INestApplication;
  let caller: INestApplication;
  let bus: Bus;

  beforeAll(async () => {
    nats = await startNats();
    server = await app(nats.urlFor(), 'probe', [GreetHandler]);
    caller = await app(nats.urlFor(), 'caller');
    bus = caller.get(Bus);
  });
  afterAll(async () => {
    await caller?.close();
    await server?.close();
    await nats?.dispose();
  });

  it('returns the handler data as ok', async () => {
    expect(await bus.request(probeGreet, { name: 'ada' })).toEqual({
      ok: true,
      data: { greeting: 'hello ada' },
    });
  });

  it("returns a handler's typed error with the same code, message and details", async () => {
    expect(await bus.request(probeGreet, { name: 'ghost' })).toEqual({
      ok: false,
      error: {
        code: ErrorCode.DeploymentNotFound,
        message: 'no deployment named ghost',
        details: { name: 'ghost' },
      },
    });
  });

  it('returns service/unavailable within the timeout when nobody serves the subject', async () => {
    const started = Date.now();
    const result = await bus.request(probeUnserved, {}, { timeoutMs: 1_000 });
    expect(result).toMatchObject({ ok: false, error: { code: ErrorCode.ServiceUnavailable } });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('returns service/unavailable when the handler does not answer within the timeout', async () => {
    const started = Date.now();
    const result = await bus.request(probeGreet, { name: 'sloth' }, { timeoutMs: 300 });
    expect(result).toMatchObject({
      ok: false,
      error: { code: ErrorCode.ServiceUnavailable, message: expect.stringMatching(/no reply in time/) },
    });
    expect(Date.now() - started).toBeLessThan(1_200);
    await sleep(1_500); // let the slow handler finish, so it does not outlive the test file
  });

  it('returns service/internal-error, without internals, when the handler throws', async () => {
    expect(await bus.request(probeGreet, { name: 'crash' })).toEqual({
      ok: false,
      error: { code: ErrorCode.InternalError, message: 'internal error' },
    });
  });

  it('rejects input that breaks the command schema before the handler, naming the field', async () => {
    const result = await bus.request(probeGreet, { name: '' });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: ErrorCode.InvalidInput,
        details: { fields: [expect.objectContaining({ path: 'name' })] },
      },
    });
  });

  it('rejects a wrong schema version and a non-envelope as validation/invalid-message', async () => {
    const nc = caller.get<NatsConnection>(NATS_CONNECTION);
    const wrongVersion = await nc.request(
      probeGreet.subject,
      encodeEnvelope(probeGreet.subject, 2, { name: 'ada' }),
      {
        timeout: 2_000,
      },
    );
    expect(decodeJson(wrongVersion.data)).toMatchObject({
      ok: false,
      error: { code: ErrorCode.InvalidMessage, message: expect.stringMatching(/speaks version 1, got 2/) },
    });
    const notEnvelope = await nc.request(probeGreet.subject, encodeJson({ name: 'ada' }), { timeout: 2_000 });
    expect(decodeJson(notEnvelope.data)).toMatchObject({
      ok: false,
      error: { code: ErrorCode.InvalidMessage },
    });
  });
});
