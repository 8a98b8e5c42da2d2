import { randomUUID } from 'node:crypto';
import { ErrorCode, type ProviderWebhookVerdict } from '@flightdeck/contracts';
import type { ApiException } from '../http/api.exception';
import { receiptOf } from './provider-webhook-receipt';

const codeOf = (verdicts: ProviderWebhookVerdict[]) => {
  try {
    receiptOf('vercel', randomUUID(), verdicts);
    return 'answered';
  } catch (e) {
    return (e as ApiException).code;
  }
};

describe("a provider webhook's answer, of every builder's verdict", () => {
  const deploymentId = randomUUID();

  it('is applied when the builder running the deployment applied it, whatever the idle replicas say', () => {
    expect(receiptOf('vercel', randomUUID(), [{ verdict: 'idle' }, { verdict: 'applied', deploymentId }, { verdict: 'idle' }])).toMatchObject({ status: 'applied', deploymentId });
  });

  it('is ignored (202) when nothing is under way to apply it to: an ended deployment, a replay', () => {
    expect(receiptOf('vercel', randomUUID(), [{ verdict: 'idle' }, { verdict: 'idle' }])).toMatchObject({ status: 'ignored' });
    expect(receiptOf('vercel', randomUUID(), [{ verdict: 'stale', message: 'not under way here' }])).toEqual({ status: 'ignored', message: 'not under way here' });
  });

  it('is refused with webhook/invalid-signature when the builder running a deployment cannot verify it, and says so for a provider without webhooks or no builder', () => {
    expect(codeOf([{ verdict: 'idle' }, { verdict: 'invalid-signature', message: 'the signature (x-vercel-signature) does not match the body' }])).toBe(ErrorCode.WebhookInvalidSignature);
    expect(codeOf([{ verdict: 'unsupported' }])).toBe(ErrorCode.WebhookProviderUnsupported);
    expect(codeOf([])).toBe(ErrorCode.ServiceUnavailable);
  });
});
