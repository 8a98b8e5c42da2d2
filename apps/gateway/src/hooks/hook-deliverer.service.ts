import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { hookSecret } from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { checkLiteralHost, guardedLookup } from './hook-address';
import { MAX_HOOK_ATTEMPTS, backoffMs, signHookBody } from './hook-events';
import { HOOK_SETTINGS, type HookSettings } from './hooks.settings';
import { type DeliveryRow, HooksRepository } from './hooks.repository';

// ended deliveries are kept this long (GET …/deliveries, redeliver), then deleted every 10 minutes
const KEEP_DAYS = 30;
const PRUNE_EVERY_MS = 10 * 60_000;

export interface AttemptResult {
  responseStatus: number | null;
  responseTimeMs: number;
  error: string | null;
}

/**
 * Sends outgoing hook deliveries, off every deployment's path: the status events only insert
 * delivery rows (HooksConsumer); this sweep, every 250 ms, leases due rows (skip locked, so each
 * goes to one gateway replica) and sends each on its own, at most 32 at once and 4 to one hook (a
 * hanging receiver does not hold up the others), each attempt bounded
 * by FLIGHTDECK_HOOKS_TIMEOUT_MS. A 2xx answer delivers it; anything else (another status, a
 * refused address, a timeout) is retried after FLIGHTDECK_HOOKS_RETRY_BASE_MS × 2^(attempt-1),
 * 8 attempts at most, then the delivery is `failed`. Redirects are not followed. A hook made
 * inactive keeps its pending deliveries until it is active again.
 */
@Injectable()
export class HookDeliverer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HookDeliverer.name);
  private timer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private sweeping = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly busy = new Map<string, number>();

  constructor(
    private readonly hooks: HooksRepository,
    private readonly api: ApiBus,
    @Inject(HOOK_SETTINGS) private readonly settings: HookSettings,
  ) {}

  onApplicationBootstrap() {
    this.timer = setInterval(() => void this.sweep(), this.settings.sweepMs);
    this.timer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  async onApplicationShutdown() {
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** deletes the deliveries that ended more than KEEP_DAYS ago; how many */
  async prune(): Promise<number> {
    try {
      const n = await this.hooks.prune(KEEP_DAYS);
      if (n) this.logger.log({ deleted: n }, 'old hook deliveries deleted');
      return n;
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'hook delivery pruning failed');
      return 0;
    }
  }

  /** one pass: leases what is due and starts sending it (does not wait for the answers) */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const due = await this.hooks.claimDue(this.settings.concurrency - this.inFlight.size, this.settings.timeoutMs + 5_000, this.settings.perHook, this.busy);
      for (const d of due) {
        this.busy.set(d.hook_id, (this.busy.get(d.hook_id) ?? 0) + 1);
        const p: Promise<void> = this.deliver(d)
          .catch((e: unknown) => this.logger.warn({ deliveryId: d.id, err: (e as Error).message }, 'hook delivery attempt not recorded'))
          .finally(() => {
            this.inFlight.delete(p);
            const n = (this.busy.get(d.hook_id) ?? 1) - 1;
            if (n > 0) this.busy.set(d.hook_id, n);
            else this.busy.delete(d.hook_id);
          });
        this.inFlight.add(p);
      }
      return due.length;
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'hook sweep failed');
      return 0;
    } finally {
      this.sweeping = false;
    }
  }

  private async deliver(d: DeliveryRow & { url: string }) {
    const attempts = d.attempts + 1;
    const { secret } = await this.api.call(hookSecret, { projectId: d.project_id, hookId: d.hook_id, action: 'open' });
    const result: AttemptResult = secret === null ? { responseStatus: null, responseTimeMs: 0, error: 'the hook has no secret' } : await this.send(d, secret);
    const ok = result.responseStatus !== null && result.responseStatus >= 200 && result.responseStatus < 300;
    const last = attempts >= MAX_HOOK_ATTEMPTS;
    await this.hooks.recordAttempt(d.id, {
      status: ok ? 'delivered' : last ? 'failed' : 'pending',
      attempts,
      responseStatus: result.responseStatus,
      responseTimeMs: result.responseTimeMs,
      error: ok ? null : (result.error ?? `answered ${result.responseStatus}`),
      nextAttemptAt: ok || last ? null : new Date(Date.now() + backoffMs(attempts, this.settings.retryBaseMs)),
    });
    this.logger.log(
      { deliveryId: d.id, hookId: d.hook_id, event: d.event, attempt: attempts, status: result.responseStatus, ms: result.responseTimeMs, error: result.error ?? undefined },
      ok ? 'hook delivered' : last ? 'hook delivery failed for good' : 'hook delivery failed, will retry',
    );
  }

  /** one POST of the delivery's body, signed; never throws */
  send(d: DeliveryRow & { url: string }, secret: string): Promise<AttemptResult> {
    const started = Date.now();
    const body = JSON.stringify({ ...d.payload, deliveredAt: new Date().toISOString() });
    const done = (responseStatus: number | null, error: string | null): AttemptResult => ({ responseStatus, responseTimeMs: Date.now() - started, error });
    return new Promise<AttemptResult>((settle) => {
      const limit: { timer?: NodeJS.Timeout } = {};
      const resolve = (r: AttemptResult) => {
        clearTimeout(limit.timer);
        settle(r);
      };
      let url: URL;
      try {
        url = new URL(d.url);
        checkLiteralHost(d.url, this.settings.allowPrivate);
      } catch (e) {
        return resolve(done(null, (e as Error).message));
      }
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          lookup: guardedLookup(this.settings.allowPrivate) as never,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'Flightdeck-Hooks/1',
            'x-flightdeck-event': d.event,
            'x-flightdeck-delivery': d.id,
            'x-flightdeck-timestamp': String(Math.floor(Date.now() / 1000)),
            'x-flightdeck-signature-256': signHookBody(secret, body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(done(res.statusCode ?? null, null)));
          res.on('error', (e) => resolve(done(res.statusCode ?? null, e.message)));
        },
      );
      // the whole attempt, answer included, is bounded (a receiver trickling bytes is cut off too)
      limit.timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.settings.timeoutMs} ms`)), this.settings.timeoutMs);
      req.on('error', (e) => resolve(done(null, e.message)));
      req.end(body);
    });
  }
}
