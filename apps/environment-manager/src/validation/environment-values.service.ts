import { Injectable } from '@nestjs/common';
import type { VariableLevel, VariableTarget } from '@flightdeck/contracts';
import { ProjectsRepository } from '../projects/projects.repository';
import { EffectiveVariables } from '../variables/effective-variables.service';
import { undecryptableMessage } from '../variables/variable-sealer';

export interface StoredValue {
  value: string;
  sensitive: boolean;
  target?: VariableTarget;
  /** set on the project (inherited) or on the environment itself */
  level?: VariableLevel;
}

// An environment's effective values (its project's, overridden by its own) in plaintext, for
// checking them inside this service: they go to the validators and no further (no reply, no log
// carries them). A value that does not decrypt is reported as such, by key.
@Injectable()
export class EnvironmentValues {
  constructor(
    private readonly projects: ProjectsRepository,
    private readonly effective: EffectiveVariables,
  ) {}

  async load(environmentId: string): Promise<{ values: Map<string, StoredValue>; undecryptable: string[] }> {
    const values = new Map<string, StoredValue>();
    const env = await this.projects.findEnvironment(environmentId);
    if (!env) return { values, undecryptable: [] };
    const { items, undecryptable } = await this.effective.load(env);
    for (const v of items) values.set(v.key, { value: v.value, sensitive: v.sensitive, target: v.target, level: v.level });
    return { values, undecryptable };
  }
}

export { undecryptableMessage };
