// How long one pull request of a durable consumer waits on the server. nats.js derives from it the
// idle heartbeat (half of it; two missed ones re-pull) and the back-off between consumer lookups
// that fail while a stream elects a new leader. Its default, 30 s, stalled a consumer for over 30 s
// after a stream leader was killed (1 run in 3 of outbox-cluster.int.spec); 5 s bounds that stall
// at a few seconds for one small request per consumer every 5 s when idle.
export const PULL_EXPIRES_MS = 5_000;
