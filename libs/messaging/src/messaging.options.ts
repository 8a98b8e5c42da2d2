export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  serviceName: string;
  natsUrl: string;
  /** the service's own NATS user (NATS_USER); omitted: connect without credentials */
  natsUser?: string;
  /** its password (NATS_PASSWORD) */
  natsPassword?: string;
  /** copies of each JetStream stream (NATS_STREAM_REPLICAS): 1 on one server, 3 on a cluster */
  streamReplicas?: number;
}
