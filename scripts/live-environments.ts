import { request } from 'node:http';
import type { Environment, Project } from '@flightdeck/contracts';

// After a start (a reboot, a crash), every environment whose URL the edge serves, as the user
// would open it: <project>-<environment>.localhost on the edge port.
export async function liveEnvironments(
  gatewayUrl: string,
  token: string,
  edgePort: number,
): Promise<string[]> {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${gatewayUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const live: string[] = [];
  const projects = await get<{ items: Project[] }>('/projects');
  for (const project of projects.items) {
    const envs = await get<{ items: Environment[] }>(`/projects/${project.id}/environments`);
    for (const env of envs.items) {
      const label = `${project.name}-${env.name}`.toLowerCase();
      const url = `http://${label}.localhost${edgePort === 80 ? '' : `:${edgePort}`}`;
      if (await answers(edgePort, `${label}.localhost`)) live.push(url);
    }
  }
  return live;
}

// The edge answers 404 "no deployment is served at …" for a label without a release, and 502 for
// a release that is not answering; anything else comes from the release.
// (fetch drops a Host header: node:http sends it)
const answers = (edgePort: number, host: string): Promise<boolean> =>
  new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: edgePort, path: '/', headers: { host }, timeout: 5_000 },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body.length < 2_000 ? (body += c.toString()) : undefined));
        res.on('end', () => {
          const status = res.statusCode ?? 500;
          resolve(status < 500 && !(status === 404 && body.includes('no deployment is served')));
        });
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });

export async function printLiveEnvironments(
  gatewayUrl: string,
  token: string,
  edgePort: number,
  say: (m: string) => void,
) {
  try {
    const urls = await liveEnvironments(gatewayUrl, token, edgePort);
    if (!urls.length) say('live environments: none yet');
    else say(`live environments (${urls.length}):\n${urls.map((u) => `  ${u}`).join('\n')}`);
  } catch (e) {
    say(`could not list the live environments: ${(e as Error).message}`);
  }
}
