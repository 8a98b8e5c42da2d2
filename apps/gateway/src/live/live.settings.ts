import type { FlowSettings } from './connection-flow';

export const LIVE_SETTINGS = Symbol('LIVE_SETTINGS');

export interface LiveSettings {
  /** recent lines each feed keeps in memory for followers near the live edge */
  ringLines: number;
  ringBytes: number;
  /** lines per `logs` event at most */
  emitLines: number;
  /** lines per log-ingest read (its maximum is 5,000) */
  historyPageLines: number;
  /** a feed outlives its last follower this long, so a reconnecting client finds it warm */
  lingerMs: number;
  /** a finished deployment without a known last seq: its log is complete after this long without lines */
  quietMs: number;
  /** a finished deployment whose last lines have not arrived live after this long: read them from log-ingest */
  endGraceMs: number;
  maxSubscriptionsPerSocket: number;
  /** lines of one deployment relayed live per second at most; the rest of a flood is stored only */
  floodLinesPerSecond: number;
  /** what one client connection may hold unsent, and when it is given up */
  flow: FlowSettings;
}

export const DEFAULT_LIVE_SETTINGS: LiveSettings = {
  ringLines: 20_000,
  ringBytes: 16 * 1024 * 1024,
  emitLines: 1_000,
  historyPageLines: 5_000,
  lingerMs: 2_000,
  quietMs: 1_000,
  endGraceMs: 5_000,
  maxSubscriptionsPerSocket: 20,
  floodLinesPerSecond: 10_000,
  flow: { maxBacklogBytes: 1024 * 1024, stalledDisconnectMs: 30_000, pollMs: 20 },
};
