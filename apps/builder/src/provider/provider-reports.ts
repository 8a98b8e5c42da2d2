import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ProviderReport } from '@flightdeck/contracts';
import type { DeploymentTarget, PublisherCredential } from '@flightdeck/providers';

interface Issued {
  hash: Buffer;
  expiresAt: number;
  onReport: (report: ProviderReport) => void;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest();

/** the API route a credential reports to (the gateway's; relative: the endpoint's system knows the platform's URL) */
export const providerReportPath = (deploymentId: string) => `/api/v1/deployments/${deploymentId}/provider-report`;

// The short-lived credentials of the deployments this builder is handing to a provider (the custom
// provider's endpoint): one per deployment, fdp_<its id in hex>_<32 random bytes>, held here as a
// hash only (the token itself is in the request to the endpoint and nowhere else: never logged).
// A report is accepted for that deployment, with that token, until the credential expires or the
// provider's call for the deployment ends (revoke); then it is refused like one never issued.
@Injectable()
export class ProviderReports {
  private readonly issued = new Map<string, Issued>();

  issue(target: DeploymentTarget, ttlSeconds: number, onReport: (report: ProviderReport) => void): PublisherCredential {
    const token = `fdp_${target.deploymentId.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
    const expiresAt = Date.now() + ttlSeconds * 1000;
    this.issued.set(target.deploymentId, { hash: hashOf(token), expiresAt, onReport });
    return { token, path: providerReportPath(target.deploymentId), expiresAt: new Date(expiresAt).toISOString() };
  }

  revoke(deploymentId: string): void {
    this.issued.delete(deploymentId);
  }

  /** true: the report was this deployment's, with its live credential, and was applied; false: not this builder's to take */
  accept(deploymentId: string, token: string, report: ProviderReport): boolean {
    const i = this.issued.get(deploymentId);
    if (!i) return false;
    if (Date.now() >= i.expiresAt) {
      this.issued.delete(deploymentId);
      return false;
    }
    if (!timingSafeEqual(hashOf(token), i.hash)) return false;
    i.onReport(report);
    return true;
  }
}
