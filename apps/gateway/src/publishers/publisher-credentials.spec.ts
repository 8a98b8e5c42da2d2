import { loadGatewayConfig } from '../config/gateway.config';
import { publisherNatsEntry, publisherNatsUser } from './publisher-credentials';
import { publisherSettings } from './publishers.settings';

const env = (over: Record<string, string> = {}) => ({
  DATABASE_URL: 'postgres://gateway@127.0.0.1:5432/flightdeck',
  FLIGHTDECK_ADMIN_TOKEN: 'a-long-enough-admin-token',
  ...over,
});

describe('publisher credentials', () => {
  it('names the NATS user after the first 12 hex digits of the id', () => {
    expect(publisherNatsUser('0f1e2d3c-4b5a-4697-8877-665544332211')).toBe('pub_0f1e2d3c4b5a');
  });

  it("allows publishing only the project's build events and subscribing only to its own inbox", () => {
    const projectId = '11111111-2222-4333-8444-555555555555';
    const entry = publisherNatsEntry({ projectId, natsUser: 'pub_0f1e2d3c4b5a', passwordHash: '$2a$10$x' });
    expect(entry.permissions).toEqual({
      publish: {
        allow: [`external.${projectId}.build.logs.*`, `external.${projectId}.build.progress.*`, `external.${projectId}.build.result.*`],
      },
      subscribe: { allow: ['_INBOX_pub_0f1e2d3c4b5a.>'] },
    });
    expect(entry.password).toEqual({ bcrypt: '$2a$10$x' });
  });

  it("shows publishers NATS_URL without the gateway's own credentials unless a public URL is set", () => {
    const own = publisherSettings(loadGatewayConfig(env({ NATS_URL: 'nats://gateway:s3cret@nats-1:4222,nats://nats-2:4222' })));
    expect(own.publicServers).toEqual(['nats://nats-1:4222', 'nats://nats-2:4222']);
    expect(own.authDirs).toEqual([]);
    const pub = publisherSettings(
      loadGatewayConfig(env({ FLIGHTDECK_NATS_PUBLIC_URL: 'tls://nats.example.com:4222', FLIGHTDECK_NATS_AUTH_DIR: '/run/nats-auth' })),
    );
    expect(pub).toMatchObject({ publicServers: ['tls://nats.example.com:4222'], authDirs: ['/run/nats-auth'] });
  });
});
