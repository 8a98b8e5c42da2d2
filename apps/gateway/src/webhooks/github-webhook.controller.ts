import { Controller, Headers, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode, WebhookReceipt } from '@flightdeck/contracts';
import { type AuthenticatedRequest, Public } from '../auth/auth.decorators';
import { ApiRoute } from '../openapi/api-route.decorator';
import { GithubWebhookService } from './github-webhook.service';

// Gitea and Forgejo send GitHub's event and delivery headers and payloads, but sign with the bare
// hex HMAC-SHA256 of the body in their own header: the same signature as GitHub's, spelled without
// its prefix. X-Hub-Signature-256 wins when both come.
const signatureOf = (github: string | undefined, gitea: string | undefined) =>
  github ?? (gitea && /^[0-9a-f]{64}$/i.test(gitea) ? `sha256=${gitea.toLowerCase()}` : gitea);

// GitHub calls this without a bearer token: the delivery's signature (X-Hub-Signature-256, made
// with the project's webhook secret) is what authenticates it.
@Controller('webhooks')
@Public()
export class GithubWebhookController {
  constructor(private readonly github: GithubWebhookService) {}

  @Post('github')
  @ApiRoute({
    summary:
      "A GitHub webhook delivery (push, pull_request; ping): authenticated by X-Hub-Signature-256 with the project's webhook secret, not by a token. " +
      '202: accepted, the work goes on (see the deliveries of the project); 200: replayed (nothing new) or ignored',
    headers: [
      { name: 'X-GitHub-Event', description: 'push, pull_request or ping' },
      { name: 'X-GitHub-Delivery', description: 'the delivery id: the same id is acted on once' },
      { name: 'X-Hub-Signature-256', description: 'sha256=<HMAC of the body with the webhook secret>' },
      { name: 'X-Gitea-Signature', description: "Gitea's (and X-Forgejo-Signature, Forgejo's): the bare hex HMAC, when X-Hub-Signature-256 is absent" },
    ],
    responses: [
      { status: 202, description: 'accepted (or ignored: webhook/unsupported-event)', name: 'WebhookReceipt', schema: WebhookReceipt },
      { status: 200, description: 'replayed or ignored', name: 'WebhookReceipt', schema: WebhookReceipt },
    ],
    errors: [ErrorCode.WebhookInvalidSignature, ErrorCode.PayloadTooLarge],
  })
  async receive(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-github-event') event: string | undefined,
    @Headers('x-github-delivery') deliveryId: string | undefined,
    @Headers('x-hub-signature-256') signature: string | undefined,
    @Headers('x-gitea-signature') giteaSignature: string | undefined,
    @Headers('x-forgejo-signature') forgejoSignature: string | undefined,
    @Headers('content-type') contentType: string | undefined,
  ): Promise<WebhookReceipt> {
    req.audit = { route: 'POST /api/v1/webhooks/github', params: { deliveryId: deliveryId?.slice(0, 200) } };
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { status, receipt } = await this.github.receive({ event, deliveryId, signature: signatureOf(signature, forgejoSignature ?? giteaSignature), contentType, body });
    // the audit entry names the project the signature proved
    if (receipt.projectIds.length) req.audit.projectId = receipt.projectIds[0];
    res.status(status);
    return receipt;
  }
}
