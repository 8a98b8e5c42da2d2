import { Streams, type StreamKey } from '@flightdeck/contracts';
import { streamConfig } from './streams';

describe('streamConfig', () => {
  const keys = Object.keys(Streams) as StreamKey[];

  it('keeps one copy of each stream unless told otherwise (one nats-server)', () => {
    for (const key of keys) expect(streamConfig(key).num_replicas).toBe(1);
  });

  it('keeps the replica count it is given (NATS_STREAM_REPLICAS on a cluster) for every stream', () => {
    for (const key of keys) expect(streamConfig(key, { replicas: 3 })).toMatchObject({ name: Streams[key].name, num_replicas: 3 });
  });
});
