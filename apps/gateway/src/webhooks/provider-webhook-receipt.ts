import { ErrorCode, type ProviderWebhookReceipt, type ProviderWebhookVerdict } from '@flightdeck/contracts';
import { ApiException } from '../http/api.exception';

// One verdict per builder replica: the one running the deployment decides; the others are idle.
export const receiptOf = (provider: string, environmentId: string, verdicts: ProviderWebhookVerdict[]): ProviderWebhookReceipt => {
  const find = (v: ProviderWebhookVerdict['verdict']) => verdicts.find((r) => r.verdict === v);
  const applied = find('applied');
  if (applied) return { status: 'applied', deploymentId: applied.deploymentId, message: `applied to deployment ${applied.deploymentId}` };
  const stale = find('stale');
  if (stale) return { status: 'ignored', message: stale.message ?? 'about no deployment under way: nothing changed' };
  const refused = find('invalid-signature');
  if (refused) throw ApiException.from({ code: ErrorCode.WebhookInvalidSignature, message: `the ${provider} webhook does not verify: ${refused.message ?? 'bad signature'}` });
  if (find('unsupported')) throw ApiException.from({ code: ErrorCode.WebhookProviderUnsupported, message: `the ${provider} provider sends no status webhooks` });
  if (!verdicts.length) throw ApiException.from({ code: ErrorCode.ServiceUnavailable, message: 'no builder answered: try again later' });
  return { status: 'ignored', message: `no deployment of environment ${environmentId} is under way with the ${provider} provider: nothing changed` };
};
