import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { verify } from '@octokit/webhooks-methods';
import { ErrorCode, type Project, type WebhookReceipt, matchWebhookProjects } from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { ApiException } from '../http/api.exception';
import { githubIntent, repositoryUrlsOf } from './github-events';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { type WebhookJob, WebhookWork } from './webhook-work.service';

export interface GithubDelivery {
  event: string | undefined;
  deliveryId: string | undefined;
  signature: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}

const DELIVERY_ID = /^[\w.:-]{1,200}$/;

// The signed body: GitHub sends JSON, or a form with the JSON in `payload` (the signature covers the form).
const payloadOf = (contentType: string | undefined, raw: string): unknown => {
  const text = /^application\/x-www-form-urlencoded/i.test(contentType ?? '') ? new URLSearchParams(raw).get('payload') ?? '' : raw;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const signatureHolds = async (secret: string, payload: string, signature: string) => {
  try {
    return await verify(secret, payload, signature);
  } catch {
    return false; // a signature of the wrong length or form
  }
};

/**
 * A GitHub delivery: checked against the webhook secret of each project of its repository (a
 * repository may back several projects, each with its own hook and secret: the signature says
 * which one sent it), taken once per project by its X-GitHub-Delivery id, answered at once; the
 * deploying happens after the answer (WebhookWork).
 */
@Injectable()
export class GithubWebhookService implements OnApplicationShutdown {
  private readonly logger = new Logger(GithubWebhookService.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly api: ApiBus,
    private readonly deliveries: WebhookDeliveriesRepository,
    @Inject(WebhookWork) private readonly work: WebhookWork,
  ) {}

  async receive(d: GithubDelivery): Promise<{ status: number; receipt: WebhookReceipt }> {
    if (!d.event || !d.deliveryId || !DELIVERY_ID.test(d.deliveryId) || !/^[\w.-]{1,100}$/.test(d.event)) {
      throw new ApiException(ErrorCode.InvalidInput, 'a GitHub delivery carries X-GitHub-Event and X-GitHub-Delivery headers');
    }
    const { event, deliveryId } = d;
    if (!d.signature) {
      this.logger.warn({ deliveryId, event }, 'webhook delivery without a signature refused');
      throw new ApiException(ErrorCode.WebhookInvalidSignature, 'the delivery has no X-Hub-Signature-256: set a secret on the webhook');
    }
    const raw = d.body.toString('utf8');
    const payload = payloadOf(d.contentType, raw);
    if (payload === undefined || payload === null || typeof payload !== 'object') throw new ApiException(ErrorCode.InvalidInput, 'the delivery body is not a JSON object');
    const urls = repositoryUrlsOf(payload);
    if (!urls.length) throw new ApiException(ErrorCode.InvalidInput, 'the delivery names no repository (repository.clone_url or html_url)');

    const candidates = (await this.api.call(matchWebhookProjects, { repositoryUrls: urls })).items;
    if (!candidates.length) {
      // answered like a bad signature: an unsigned caller must not learn which repositories this platform serves
      this.logger.warn({ deliveryId, event, repository: urls[0] }, 'webhook delivery for a repository no project has a webhook secret for refused');
      throw new ApiException(ErrorCode.WebhookInvalidSignature, "the signature does not match the webhook secret of this repository's project");
    }
    const signed: { project: Project; githubToken?: string }[] = [];
    for (const c of candidates) if (await signatureHolds(c.secret, raw, d.signature)) signed.push({ project: c.project, githubToken: c.githubToken });
    const intent = githubIntent(event, payload);
    const action = typeof (payload as { action?: unknown }).action === 'string' ? ((payload as { action: string }).action).slice(0, 100) : null;
    if (!signed.length) {
      for (const c of candidates) {
        await this.deliveries.claim({ deliveryId, event, action, projectId: c.project.id, outcome: 'rejected', detail: 'the signature does not match the webhook secret' });
      }
      this.logger.warn({ deliveryId, event, projects: candidates.map((c) => c.project.id) }, 'webhook delivery with a bad signature refused');
      throw new ApiException(ErrorCode.WebhookInvalidSignature, "the signature does not match the webhook secret of this repository's project");
    }
    if (intent.kind === 'invalid') throw new ApiException(ErrorCode.InvalidInput, intent.reason);

    const taken: { project: Project; githubToken?: string; rowId: number }[] = [];
    for (const { project, githubToken } of signed) {
      const outcome = intent.kind === 'work' ? 'accepted' : 'ignored';
      const detail = intent.kind === 'ignore' ? intent.reason : '';
      const rowId = await this.deliveries.claim({ deliveryId, event, action, projectId: project.id, outcome, detail, ...(intent.kind === 'work' ? { work: intent.work } : {}) });
      if (rowId !== undefined) taken.push({ project, githubToken, rowId });
    }
    const projectIds = signed.map((p) => p.project.id);
    if (!taken.length) {
      this.logger.log({ deliveryId, event, projectIds }, 'webhook delivery replayed: nothing new');
      return { status: 200, receipt: { deliveryId, status: 'replayed', projectIds, message: 'this delivery was received before: nothing new was done' } };
    }
    if (intent.kind === 'ignore') {
      this.logger.log({ deliveryId, event, projectIds, reason: intent.reason }, 'webhook delivery ignored');
      return {
        status: intent.unsupported ? 202 : 200,
        receipt: { deliveryId, status: 'ignored', projectIds, ...(intent.unsupported ? { code: ErrorCode.WebhookUnsupportedEvent } : {}), message: intent.reason },
      };
    }
    for (const t of taken) this.later({ deliveryId, project: t.project, githubToken: t.githubToken, rowId: t.rowId, work: intent.work });
    this.logger.log({ deliveryId, event, projectIds, work: intent.work.kind }, 'webhook delivery accepted');
    return { status: 202, receipt: { deliveryId, status: 'accepted', projectIds, message: `accepted: ${intent.work.kind}; GET /projects/:projectId/webhook/deliveries shows what it did` } };
  }

  private later(job: WebhookJob) {
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.work.execute(job))
      .catch((e: unknown) => this.logger.error({ err: e, deliveryId: job.deliveryId, projectId: job.project.id }, 'webhook work failed'))
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  async onApplicationShutdown() {
    await Promise.allSettled([...this.inFlight]);
  }
}
