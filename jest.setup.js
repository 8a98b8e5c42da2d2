// Integration tests start real Postgres and NATS servers: a per-project `testTimeout` is ignored by jest, so set it here.
jest.setTimeout(60_000);
