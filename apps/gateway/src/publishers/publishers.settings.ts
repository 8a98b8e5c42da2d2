import { natsConnectionOptions } from '@flightdeck/messaging';
import type { GatewayConfig } from '../config/gateway.config';

export const PUBLISHER_SETTINGS = Symbol('PUBLISHER_SETTINGS');

export interface PublisherSettings {
  /** the nats-server auth dir this gateway manages users in; undefined: the operator manages them */
  authDir?: string;
  /** the servers publishers are told to connect to */
  publicServers: string[];
  /** the servers this gateway reaches NATS at, to check a new credential is accepted */
  servers: string[];
}

const serversOf = (url: string) => natsConnectionOptions({ serviceName: 'gateway', natsUrl: url }).servers;

// credentials written in a URL (nats://user:pass@host) are the gateway's own: never shown to publishers
export const publisherSettings = (config: GatewayConfig): PublisherSettings => ({
  authDir: config.FLIGHTDECK_NATS_AUTH_DIR,
  publicServers: serversOf(config.FLIGHTDECK_NATS_PUBLIC_URL ?? config.NATS_URL),
  servers: serversOf(config.NATS_URL),
});
