import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ErrorCode,
  PROVIDER_WEBHOOK_HEADERS,
  PROVIDER_WEBHOOK_MAX_BYTES,
  ProviderWebhookReceipt,
  getEnvironment,
  receiveProviderWebhook,
} from '@flightdeck/contracts';
import { type AuthenticatedRequest, Public } from '../auth/auth.decorators';
import { ApiBus } from '../http/api-bus';
import { ApiException } from '../http/api.exception';
import { IdParam } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { receiptOf } from './provider-webhook-receipt';

const headersOf = (req: AuthenticatedRequest): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const name of PROVIDER_WEBHOOK_HEADERS) {
    const v = req.headers[name];
    const one = Array.isArray(v) ? v[0] : v;
    if (one !== undefined) out[name] = one.slice(0, 8 * 1024);
  }
  return out;
};

// A deployment provider's status webhook (Vercel's, Netlify's deploy notifications, the custom
// provider's endpoint), without a bearer token: its signature, made with a secret the environment
// holds as a sensitive variable, authenticates it. The gateway never reads that secret: it hands the
// raw body on to the builders, and the one running a deployment of the environment with that
// provider verifies it and applies it. No builder running one: nothing to apply it to (an ended
// deployment, a replay), answered 202 ignored and nothing changes.
@Controller('webhooks/providers')
@Public()
export class ProviderWebhookController {
  constructor(private readonly api: ApiBus) {}

  @Post(':provider/:environmentId')
  @HttpCode(202)
  @ApiRoute({
    summary:
      "A deployment provider's status webhook (vercel: x-vercel-signature; netlify: x-webhook-signature, the deploy notification's JWS; custom: x-flightdeck-signature-256) for an environment, " +
      "authenticated by its signature with the secret named by the provider's settings.webhookSecretVariable (custom: secretVariable), not by a token. " +
      "202 applied: the deployment's log says what the provider reported and its status follows the provider's; 202 ignored: no deployment of the environment is under way with the provider (ended, or a replay), nothing changed",
    headers: [
      { name: 'X-Vercel-Signature', description: 'vercel: the hex HMAC-SHA1 of the body with the webhook secret' },
      { name: 'X-Webhook-Signature', description: "netlify: the deploy notification's JWS (HS256) with the JWS secret" },
      { name: 'X-Flightdeck-Signature-256', description: 'custom: sha256=<HMAC-SHA256 of the body with the secret>' },
    ],
    responses: [{ status: 202, description: 'applied or ignored', name: 'ProviderWebhookReceipt', schema: ProviderWebhookReceipt }],
    errors: [ErrorCode.WebhookInvalidSignature, ErrorCode.EnvironmentNotFound, ErrorCode.WebhookUnknownProvider, ErrorCode.WebhookProviderUnsupported, ErrorCode.PayloadTooLarge],
  })
  async receive(@Req() req: AuthenticatedRequest, @Param('provider') provider: string, @IdParam('environmentId') environmentId: string): Promise<ProviderWebhookReceipt> {
    req.audit = { route: 'POST /api/v1/webhooks/providers/:provider/:environmentId', params: { provider: provider.slice(0, 100), environmentId } };
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length > PROVIDER_WEBHOOK_MAX_BYTES) throw ApiException.from({ code: ErrorCode.PayloadTooLarge, message: `a provider webhook is at most ${PROVIDER_WEBHOOK_MAX_BYTES} bytes` });
    const environment = await this.api.call(getEnvironment, { environmentId });
    req.audit.projectId = environment.projectId;
    // which provider it does use is not said: the caller has no token
    if ((environment.provider?.name ?? 'internal') !== provider) {
      throw ApiException.from({ code: ErrorCode.WebhookUnknownProvider, message: `environment ${environmentId} takes no ${provider.slice(0, 100)} webhooks` });
    }
    const verdicts = await this.api.bus.requestAll(receiveProviderWebhook, { provider, environmentId, headers: headersOf(req), body: body.toString('base64') });
    return receiptOf(provider, environmentId, verdicts);
  }
}
