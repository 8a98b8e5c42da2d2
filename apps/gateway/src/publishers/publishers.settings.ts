import { natsConnectionOptions } from '@flightdeck/messaging';
import type { GatewayConfig } from '../config/gateway.config';

export const PUBLISHER_SETTINGS = Symbol('PUBLISHER_SETTINGS');

export interface PublisherSettings {
  /** the nats-server auth dirs this gateway manages users in, one per node of a cluster; empty: the operator manages them */
  authDirs: string[];
  /** the servers publishers are told to connect to */
  publicServers: string[];
  /** the servers this gateway reaches NATS at, to check a new credential is accepted */
  servers: string[];
}

const serversOf = (url: string) => natsConnectionOptions({ serviceName: 'gateway', natsUrl: url }).servers;

// credentials written in a URL (nats://user:pass@host) are the gateway's own: never shown to publishers
export const publisherSettings = (config: GatewayConfig): PublisherSettings => ({
  authDirs: (config.FLIGHTDECK_NATS_AUTH_DIR ?? '').split(',').map((d) => d.trim()).filter(Boolean),
  publicServers: serversOf(config.FLIGHTDECK_NATS_PUBLIC_URL ?? config.NATS_URL),
  servers: serversOf(config.NATS_URL),
});
