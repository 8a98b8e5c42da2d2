import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// The builder notes each provider's own id (DeployResult.providerDeploymentId) and hands it to
// rollback (RollbackRequest.toProviderDeploymentId); for a deployment from before it did, a provider
// whose platform cannot be asked "which of your deployments was ours?" (Render, Railway) also notes
// the pair in its data dir, kept across restarts, to find the earlier one again. One small JSON file
// per platform resource, the newest KEEP pairs.

const KEEP = 500;

const fileOf = (dataDir: string, key: string) => join(dataDir, `${key.replace(/[^A-Za-z0-9_-]/g, '_')}.ids.json`);

async function load(file: string): Promise<[string, string][]> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as [string, string][];
  } catch {
    return [];
  }
}

/** note that our deployment went out as the platform's `providerId` */
export async function rememberProviderId(dataDir: string, key: string, deploymentId: string, providerId: string): Promise<void> {
  const file = fileOf(dataDir, key);
  const pairs = (await load(file)).filter(([d]) => d !== deploymentId);
  pairs.push([deploymentId, providerId]);
  await mkdir(dataDir, { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(pairs.slice(-KEEP)));
  await rename(`${file}.tmp`, file);
}

/** the platform's id of our deployment, when this builder noted it */
export async function recallProviderId(dataDir: string, key: string, deploymentId: string): Promise<string | undefined> {
  return (await load(fileOf(dataDir, key))).find(([d]) => d === deploymentId)?.[1];
}
