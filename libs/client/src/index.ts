// @flightdeck/client: the typed SDK for the CLI, scripts and browsers. No Node-only import may
// enter this graph (index.spec.ts checks it): it runs on the global fetch and socket.io-client.
export * from './deployment-client';
export * from './http-transport';
export * from './log-stream';
export * from './read-cache';
export type { DeploymentListener } from './live-connection';
