import type { GatewayConfig } from '../config/gateway.config';

export const HOOK_SETTINGS = Symbol('HOOK_SETTINGS');

export interface HookSettings {
  allowPrivate: boolean;
  timeoutMs: number;
  retryBaseMs: number;
  /** how often the sweep looks for due deliveries */
  sweepMs: number;
  /** deliveries in flight at once per gateway */
  concurrency: number;
  /** of which at most this many to one hook */
  perHook: number;
}

export const hookSettings = (config: Pick<GatewayConfig, 'FLIGHTDECK_HOOKS_ALLOW_PRIVATE' | 'FLIGHTDECK_HOOKS_TIMEOUT_MS' | 'FLIGHTDECK_HOOKS_RETRY_BASE_MS'>): HookSettings => ({
  allowPrivate: config.FLIGHTDECK_HOOKS_ALLOW_PRIVATE,
  timeoutMs: config.FLIGHTDECK_HOOKS_TIMEOUT_MS,
  retryBaseMs: config.FLIGHTDECK_HOOKS_RETRY_BASE_MS,
  sweepMs: 250,
  concurrency: 32,
  perHook: 4,
});
