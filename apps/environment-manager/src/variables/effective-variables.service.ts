import { Injectable } from '@nestjs/common';
import type { VariableLevel, VariableTarget } from '@flightdeck/contracts';
import { VariableSealer } from './variable-sealer';
import { VariablesRepository } from './variables.repository';

export interface EffectiveVariable {
  key: string;
  value: string;
  sensitive: boolean;
  target: VariableTarget;
  level: VariableLevel;
  updatedAt: Date;
}

// What an environment runs with: its project's shared variables, overridden key by key by its own
// (project < environment; a trigger's own values, when triggers carry any, come last). Values in
// plaintext for use inside this service and the builder's resolve; a value no key opens is
// reported by key, not guessed.
@Injectable()
export class EffectiveVariables {
  constructor(
    private readonly repo: VariablesRepository,
    private readonly sealer: VariableSealer,
  ) {}

  async load(env: { id: string; projectId: string }): Promise<{ items: EffectiveVariable[]; undecryptable: string[] }> {
    const [shared, own] = await Promise.all([this.repo.listProject(env.projectId), this.repo.list(env.id)]);
    const byKey = new Map<string, EffectiveVariable | { key: string; undecryptable: true }>();
    for (const row of shared) {
      const value = this.sealer.open({ projectId: env.projectId }, row.key, row);
      byKey.set(row.key, value === undefined ? { key: row.key, undecryptable: true } : { ...pick(row), value, level: 'project' });
    }
    for (const row of own) {
      const value = this.sealer.open({ environmentId: env.id }, row.key, row);
      byKey.set(row.key, value === undefined ? { key: row.key, undecryptable: true } : { ...pick(row), value, level: 'environment' });
    }
    const items: EffectiveVariable[] = [];
    const undecryptable: string[] = [];
    for (const v of [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      if ('undecryptable' in v) undecryptable.push(v.key);
      else items.push(v);
    }
    return { items, undecryptable };
  }
}

const pick = (row: { key: string; sensitive: boolean; target: VariableTarget; updatedAt: Date }) => ({
  key: row.key,
  sensitive: row.sensitive,
  target: row.target,
  updatedAt: row.updatedAt,
});
