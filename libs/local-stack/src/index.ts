// The platform on one machine: a local Postgres and nats-server (as an unprivileged user when run
// by root), each service's database role and schema, and the services as child processes. Used by
// `npm start`, `npm run migrate`, the benchmarks and, through libs/testing, the tests.
export * from './child-exit';
export { freePort, freePorts } from '@flightdeck/runtime';
export * from './process-user';
export * from './postgres-location';
export * from './postgres.server';
export * from './nats.server';
export * from './nats-cluster';
export * from './service-stack';
export * from './supervision';
export * from './supervisor';
export * from './leftovers';
export * from './supervised-units';
