import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Environment, type Result, type UpdateEnvironmentRequest, ok } from '@flightdeck/contracts';
import type { EnvironmentEntity } from './environment.entity';
import { changesOf, domainTaken, nameTaken, refuseUpdate } from './environment-rules';
import { checkProvider, providerChange } from './environment-provider';
import { refuseFreezeWindows } from './freeze-window-check';
import { environmentNotFound } from './project-queries.service';
import { toEnvironment } from './projects.mapper';
import { DOMAIN_KEY, ENVIRONMENT_NAME_INDEX, ProjectsRepository, isUniqueViolation } from './projects.repository';

// Renames, retypes or makes default a live environment. Moving the default un-defaults the previous
// one in the same transaction; a refused change changes nothing.
@Injectable()
export class UpdateEnvironmentUseCase {
  private readonly logger = new Logger(UpdateEnvironmentUseCase.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ProjectsRepository,
  ) {}

  async execute(req: UpdateEnvironmentRequest): Promise<Result<Environment>> {
    const badWindow = refuseFreezeWindows(req.protection);
    if (badWindow) return badWindow;
    const provider = checkProvider(req);
    if (provider && !provider.ok) return provider;
    let result: Result<EnvironmentEntity>;
    try {
      result = await this.ds.transaction(async (tx) => {
        await this.repo.lockProject(tx, req.projectId);
        const env = await this.repo.environmentInProject(tx, req.projectId, req.environmentId);
        if (!env || env.deletedAt) return environmentNotFound(req.environmentId);
        const changes = { ...changesOf(env, req), ...providerChange(env.provider, provider?.data) };
        const refused = refuseUpdate(env, changes);
        if (refused) return refused;
        if (changes.name && (await this.repo.liveNamed(tx, req.projectId, changes.name))) return nameTaken(changes.name);
        if (changes.isDefault) await this.repo.clearDefault(tx, req.projectId);
        if (changes.domains) await this.repo.setDomains(tx, env.id, changes.domains);
        return ok(await this.repo.changeEnvironment(tx, env.id, changes));
      });
    } catch (e) {
      if (isUniqueViolation(e, ENVIRONMENT_NAME_INDEX)) return nameTaken(req.name ?? '');
      // the whole change is undone: the database names the domain another environment has
      if (isUniqueViolation(e, DOMAIN_KEY)) return domainTaken(/\(domain\)=\(([^)]+)\)/.exec((e as { driverError?: { detail?: string } }).driverError?.detail ?? '')?.[1]);
      throw e;
    }
    if (!result.ok) return result;
    const env = result.data;
    this.logger.log({ projectId: env.projectId, environmentId: env.id, name: env.name, type: env.type, isDefault: env.isDefault }, 'environment updated');
    return ok(toEnvironment(env));
  }
}
