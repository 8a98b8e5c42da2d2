import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { create as createTar } from 'tar';
import { migrations } from '@flightdeck/migrations/builder';
import { ServiceDatabaseModule } from '@flightdeck/persistence';
import type { TestInfra } from '@flightdeck/testing';
import { configModule } from '@flightdeck/runtime';
import { BUILDER_CONFIG, loadBuilderConfig } from '../src/config/builder.config';
import { ProviderModule } from '../src/provider/provider.module';
import type { ProviderModuleOptions } from '../src/provider/provider-settings';
import { ReleaseProcesses } from '../src/provider/release-processes';
import { RELEASE_PROVIDER, type ReleaseLog, type ReleaseProvider } from '../src/provider/release-provider';

// Artifacts are packed by hand here, the way the artifact store packs them (a gzipped tar of
// the app dir's contents), so these tests exercise the provider alone.
export async function packArtifact(files: Record<string, string>, into: string): Promise<string> {
  const src = mkdtempSync(join(tmpdir(), 'fd-artifact-src-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(src, path)), { recursive: true });
    writeFileSync(join(src, path), content);
  }
  const file = join(into, `artifact-${Math.random().toString(36).slice(2)}.tar.gz`);
  await createTar({ gzip: true, cwd: src, portable: true, file }, ['.']);
  rmSync(src, { recursive: true, force: true });
  return file;
}

export const staticSite = (text: string) => ({
  'index.html': `<h1>${text}</h1>`,
  'about/index.html': `<p>about ${text}</p>`,
});

/** a tiny Node server answering "<version> <GREETING>" on PORT/HOST */
export const nodeApp = (version: string, server?: string) => ({
  'package.json': JSON.stringify({ name: 'app', version: '1.0.0', scripts: { start: 'node server.js' } }),
  'server.js':
    server ??
    `require('node:http').createServer((req, res) => res.end('${version} ' + (process.env.GREETING ?? '') + ' ' + req.url + ' builder-only:' + process.env.BUILDER_ONLY))
       .listen(Number(process.env.PORT), process.env.HOST, () => console.log('listening on ' + process.env.PORT));`,
});

export const neverListens = () => nodeApp('x', `console.log('starting, but never listening'); setInterval(() => {}, 1000);`);
export const crashes = () => nodeApp('x', `console.error('boom: missing config'); process.exit(1);`);

export class LogRecorder {
  readonly lines: { message: string; level: string }[] = [];
  readonly log: ReleaseLog = (message, level = 'info') => void this.lines.push({ message, level });
  text(): string {
    return this.lines.map((l) => l.message).join('\n');
  }
}

@Module({})
class ProviderTestRoot {}

export interface ProviderApp {
  app: INestApplication;
  provider: ReleaseProvider;
  processes: ReleaseProcesses;
}

// The provider module as the builder wires it: the builder's config, its database schema (with
// every builder migration), nothing else.
export async function startProviderApp(infra: TestInfra, env: Record<string, string>, options: ProviderModuleOptions = {}): Promise<ProviderApp> {
  const config = loadBuilderConfig(infra.envFor('builder', env));
  const root: DynamicModule = {
    module: ProviderTestRoot,
    imports: [
      configModule(BUILDER_CONFIG, config),
      ServiceDatabaseModule.forRoot({ url: config.DATABASE_URL, schema: 'builder', entities: [], migrations, applicationName: 'builder' }),
      ProviderModule.forRoot(options),
    ],
  };
  const app = await NestFactory.create(root, { logger: process.env.TEST_LOG_LEVEL ? ['error', 'warn', 'log'] : false });
  await app.init();
  return { app, provider: app.get<ReleaseProvider>(RELEASE_PROVIDER, { strict: false }), processes: app.get(ReleaseProcesses, { strict: false }) };
}
