import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NatsConnection, connect } from 'nats';
import { type Environment, type Project, createProject, listEnvironments } from '@flightdeck/contracts';
import { Bus, startBusTransports } from '@flightdeck/messaging';
import { type TestInfra, queryRows, startTestInfra } from '@flightdeck/testing';
import { AppModule } from '../../src/app.module';
import { loadEnvironmentManagerConfig } from '../../src/config/environment-manager.config';
import { FakeDeploymentOrchestrator } from './fake-deployment-orchestrator';

// environment-manager in-process against a real Postgres and nats-server; the test plays its
// callers over the bus and the orchestrator (a getDeployment responder).
export class EnvironmentManagerHarness {
  private constructor(
    readonly infra: TestInfra,
    public app: INestApplication,
    readonly nc: NatsConnection,
    readonly bus: Bus,
    readonly orchestrator: FakeDeploymentOrchestrator,
  ) {}

  // `settings`: the service's own settings beyond the defaults (a random FLIGHTDECK_SECRET_KEY)
  static async start(settings: Record<string, string> = {}): Promise<EnvironmentManagerHarness> {
    const infra = await startTestInfra();
    try {
      const app = await EnvironmentManagerHarness.startApp(infra, settings);
      const nc = await connect({ ...infra.nats.connectOptions(), name: 'environment-manager-test' });
      const orchestrator = new FakeDeploymentOrchestrator(nc);
      orchestrator.start();
      return new EnvironmentManagerHarness(infra, app, nc, new Bus(nc), orchestrator);
    } catch (e) {
      await infra.stop();
      throw e;
    }
  }

  private static async startApp(infra: TestInfra, settings: Record<string, string>): Promise<INestApplication> {
    const env = infra.envFor('environment-manager', { FLIGHTDECK_SECRET_KEY: randomBytes(32).toString('base64'), ...settings });
    const app = await NestFactory.create(AppModule.forRoot(loadEnvironmentManagerConfig(env)), { logger: false });
    try {
      await app.init();
      await startBusTransports(app);
    } catch (e) {
      await app.close().catch(() => undefined);
      throw e;
    }
    return app;
  }

  // Stops the service and starts it again on the same database and bus, with these settings; when
  // it refuses to start, the error is thrown and no instance runs.
  async restart(settings: Record<string, string>) {
    await this.app.close().catch(() => undefined);
    this.app = await EnvironmentManagerHarness.startApp(this.infra, settings);
  }

  async stop() {
    this.orchestrator.stop();
    await this.nc.drain();
    await this.app.close();
    await this.infra.stop();
  }

  // Creates a project and expects success: it and its production environment.
  async project(name: string, repositoryUrl = `/srv/git/${name}.git`): Promise<{ project: Project; production: Environment }> {
    const created = await this.bus.request(createProject, { name, repositoryUrl });
    if (!created.ok) throw new Error(`create failed: ${created.error.code} ${created.error.message}`);
    const envs = await this.bus.request(listEnvironments, { projectId: created.data.id });
    if (!envs.ok) throw new Error(`list environments failed: ${envs.error.code}`);
    return { project: created.data, production: envs.data.items.find((e) => e.name === 'production')! };
  }

  // Reads the service's tables as the superuser, as an operator would.
  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return queryRows<T>(this.infra.postgres.url, text, params);
  }
}
