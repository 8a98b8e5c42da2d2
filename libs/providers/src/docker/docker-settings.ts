import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import { z } from 'zod';
import { ProviderSettingsError } from '../provider-error';

export const DOCKER = 'docker';
/** the settings naming sensitive variables (credentials): never handed to the container */
export const DOCKER_CREDENTIALS = ['registryPasswordVariable'] as const;

// An environment's Docker settings (environment-manager stores them; the registry parses them).
export const DockerSettings = z
  .object({
    // the engine: unix:///var/run/docker.sock, tcp://host:2376 (TLS with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH), ssh://user@host; default: the builder's DOCKER_HOST
    dockerHost: z.string().trim().min(1).max(500).optional(),
    // the host address published ports bind to on the engine's machine
    publishAddress: z.string().trim().min(1).max(100).default('127.0.0.1'),
    // how the builder and users reach a published port (default: the engine's host, 127.0.0.1 for a socket)
    publicHost: z.string().trim().min(1).max(253).optional(),
    memoryMb: z.number().int().min(16).max(1_048_576).default(512),
    cpus: z.number().positive().max(256).default(1),
    restartPolicy: z.enum(['no', 'on-failure', 'unless-stopped', 'always']).default('unless-stopped'),
    // images kept per environment: rollback starts one of these without building
    keepImages: z.number().int().min(1).max(100).default(5),
    healthTimeoutSeconds: z.number().int().min(1).max(3600).default(60),
    // how long the previous container keeps serving after the switch before it is stopped
    drainSeconds: z.number().min(0).max(600).default(5),
    // the generated Dockerfiles' base images (a registry mirror, a pinned digest): node:<major>-bookworm-slim and nginxinc/nginx-unprivileged:stable-alpine otherwise
    nodeImage: z.string().trim().min(1).max(300).optional(),
    staticImage: z.string().trim().min(1).max(300).optional(),
    // push every image to this repository prefix (registry.example.com/team) when set
    registry: z.string().trim().min(1).max(300).regex(/^[a-z0-9.:-]+(\/[a-z0-9._-]+)*$/, 'must be a registry host with an optional path, lowercase').optional(),
    registryUsername: z.string().trim().min(1).max(200).optional(),
    // the name of a sensitive variable holding the registry's password or token
    registryPasswordVariable: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type DockerSettings = z.infer<typeof DockerSettings>;

export interface EngineEndpoint {
  options: DockerOptions;
  /** where a published port is reached from here */
  host: string;
  /** for messages: the DOCKER_HOST in use */
  display: string;
}

// DOCKER_HOST as the docker CLI reads it, checked before anything is built.
export function engineEndpoint(settings: Pick<DockerSettings, 'dockerHost' | 'publicHost'>, env: NodeJS.ProcessEnv): EngineEndpoint {
  const value = settings.dockerHost ?? env.DOCKER_HOST;
  const setting = settings.dockerHost ? 'settings.dockerHost' : 'DOCKER_HOST';
  if (!value) {
    throw new ProviderSettingsError(DOCKER, 'DOCKER_HOST', "is not set on the builder (nor settings.dockerHost): the Docker provider needs the engine's address, e.g. unix:///var/run/docker.sock");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProviderSettingsError(DOCKER, setting, `is not a URL: ${value} (unix:///path, tcp://host:port or ssh://user@host)`);
  }
  if (url.protocol === 'unix:') {
    if (!url.pathname) throw new ProviderSettingsError(DOCKER, setting, 'names no socket path');
    return { options: { socketPath: url.pathname }, host: settings.publicHost ?? '127.0.0.1', display: value };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tls = url.protocol === 'https:' || (!!env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0');
    const certs = env.DOCKER_CERT_PATH;
    const read = (f: string) => (certs ? readFileSync(join(certs, f)) : undefined);
    return {
      options: { host, port: Number(url.port || (tls ? 2376 : 2375)), protocol: tls ? 'https' : 'http', ...(tls && certs ? { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') } : {}) },
      host: settings.publicHost ?? host,
      display: value,
    };
  }
  if (url.protocol === 'ssh:') {
    return { options: { protocol: 'ssh', host, port: Number(url.port || 22), username: url.username || undefined }, host: settings.publicHost ?? host, display: value };
  }
  throw new ProviderSettingsError(DOCKER, setting, `has the scheme ${url.protocol.replace(/:$/, '')}, not unix, tcp or ssh`);
}
