// Transport ids tie each `@MessagePattern` / `@EventPattern` to the strategy that serves it, so the
// two strategies of one hybrid app never register each other's handlers.
export const NATS_COMMANDS = Symbol('NATS_COMMANDS');
export const JETSTREAM = Symbol('JETSTREAM');
