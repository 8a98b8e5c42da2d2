import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderSettingsError } from '../provider-error';
import { DockerSettings, engineEndpoint } from './docker-settings';

describe('the Docker engine an environment deploys to', () => {
  it.each([
    ['unix:///var/run/docker.sock', {}, { options: { socketPath: '/var/run/docker.sock' }, host: '127.0.0.1' }],
    ['tcp://10.0.0.5:2375', {}, { options: { host: '10.0.0.5', port: 2375, protocol: 'http' }, host: '10.0.0.5' }],
    ['tcp://docker.internal', { DOCKER_TLS_VERIFY: '1' }, { options: { host: 'docker.internal', port: 2376, protocol: 'https' }, host: 'docker.internal' }],
    ['ssh://deploy@build-host', {}, { options: { protocol: 'ssh', host: 'build-host', port: 22, username: 'deploy' }, host: 'build-host' }],
  ])('reads DOCKER_HOST=%s as the docker CLI does', (value, env, expected) => {
    expect(engineEndpoint({}, { DOCKER_HOST: value, ...env })).toMatchObject(expected);
  });

  it('takes the TLS client certificates from DOCKER_CERT_PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'docker-certs-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), f);
    const { options } = engineEndpoint({}, { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    expect([options.ca, options.cert, options.key].map(String)).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
    rmSync(dir, { recursive: true });
  });

  it("prefers the environment's settings.dockerHost, and says where a published port is reached", () => {
    expect(engineEndpoint({ dockerHost: 'tcp://a:1', publicHost: 'apps.example.com' }, { DOCKER_HOST: 'unix:///x.sock' })).toMatchObject({ options: { host: 'a', port: 1 }, host: 'apps.example.com' });
  });

  it.each([
    [{}, {}, 'DOCKER_HOST', "is not set on the builder (nor settings.dockerHost): the Docker provider needs the engine's address, e.g. unix:///var/run/docker.sock"],
    [{ dockerHost: 'docker.sock' }, {}, 'settings.dockerHost', 'is not a URL: docker.sock (unix:///path, tcp://host:port or ssh://user@host)'],
    [{}, { DOCKER_HOST: 'npipe:////./pipe/docker_engine' }, 'DOCKER_HOST', 'has the scheme npipe, not unix, tcp or ssh'],
  ])('names the setting at fault: %j %j', (settings, env, setting, problem) => {
    expect(() => engineEndpoint(settings, env)).toThrow(new ProviderSettingsError('docker', setting, problem));
  });

  it('refuses settings it does not know and fills in the defaults', () => {
    expect(DockerSettings.safeParse({ dockerHost: 'unix:///x', memoryMB: 1 }).success).toBe(false);
    expect(DockerSettings.parse({})).toEqual({ publishAddress: '127.0.0.1', memoryMb: 512, cpus: 1, restartPolicy: 'unless-stopped', keepImages: 5, healthTimeoutSeconds: 60, drainSeconds: 5 });
  });
});
