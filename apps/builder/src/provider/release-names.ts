import { environmentLabel } from '@flightdeck/contracts';
import { ReleaseFailedError, type ReleaseTarget, type ReleaseUrls } from './release-provider';

// Project and environment names are URL-safe slugs: they become a host label and two path
// segments of the release dir, so anything else is refused before it touches the disk.
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export { environmentLabel } from '@flightdeck/contracts';
export const previewLabel = (project: string, deploymentId: string): string => `${project}-${deploymentId.slice(0, 8).toLowerCase()}`;
export const shortId = (deploymentId: string): string => deploymentId.slice(0, 8).toLowerCase();

export const edgeUrl = (label: string, edgePort: number): string => `http://${label}.localhost${edgePort === 80 ? '' : `:${edgePort}`}`;

export function releaseUrls(t: ReleaseTarget, edgePort: number): ReleaseUrls {
  return {
    url: edgeUrl(environmentLabel(t.projectName, t.environmentName), edgePort),
    previewUrl: edgeUrl(previewLabel(t.projectName, t.deploymentId), edgePort),
  };
}

export function checkDeploymentId(id: string, what = 'deployment id'): void {
  if (!UUID.test(id)) throw new ReleaseFailedError(`invalid ${what}`, `"${id.slice(0, 64)}" is not a UUID`);
}

export function checkTarget(t: ReleaseTarget): void {
  for (const [what, value] of [
    ['project name', t.projectName],
    ['environment name', t.environmentName],
  ] as const) {
    if (!SLUG.test(value)) throw new ReleaseFailedError(`invalid ${what}`, `"${value.slice(0, 64)}" is not a URL-safe slug`);
  }
  checkDeploymentId(t.deploymentId);
}
