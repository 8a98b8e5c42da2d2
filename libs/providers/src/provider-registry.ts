import { z } from 'zod';
import { INTERNAL_PROVIDER, type DeploymentProvider, type ProviderConfig, type ProviderDefinition, type ProviderHost } from './deployment-provider';
import { ProviderSettingsError } from './provider-error';

/** a variable of the environment as the builder resolved it */
export interface ResolvedVariable {
  key: string;
  value: string;
  sensitive: boolean;
}

const pathOf = (issue: z.ZodIssue) => ['settings', ...issue.path].join('.');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each definition has its own settings type
type AnyDefinition = ProviderDefinition<any>;

/** the internal provider has no settings: an environment without a provider configuration uses it */
export const INTERNAL_SETTINGS = z.object({}).strict();

export class ProviderRegistry {
  private readonly byName = new Map<string, AnyDefinition>();

  constructor(definitions: readonly AnyDefinition[]) {
    for (const d of definitions) {
      if (this.byName.has(d.name)) throw new Error(`provider ${d.name} is registered twice`);
      this.byName.set(d.name, d);
    }
  }

  /** every provider an environment may name, the internal one included */
  names(): string[] {
    return [...new Set([INTERNAL_PROVIDER, ...this.byName.keys()])].sort();
  }

  get(name: string): AnyDefinition | undefined {
    return this.byName.get(name);
  }

  /**
   * The configuration's shape checked (what environment-manager stores): a known provider, settings
   * its schema accepts. Throws ProviderSettingsError naming the setting. Returns the parsed settings.
   */
  validate(config: ProviderConfig): Record<string, unknown> {
    const definition = this.byName.get(config.name);
    const schema = definition?.settings ?? (config.name === INTERNAL_PROVIDER ? INTERNAL_SETTINGS : undefined);
    if (!schema) throw new ProviderSettingsError(config.name, 'name', `is not a provider this platform has (one of: ${this.names().join(', ')})`);
    const parsed = schema.safeParse(config.settings ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      // a schema's own sentence ("is required: ...", "must be ...") reads after the setting's name as it is
      const said = issue.message.toLowerCase().startsWith('required') ? 'is required' : /^(is|must) /.test(issue.message) ? issue.message : `is not valid: ${issue.message}`;
      throw new ProviderSettingsError(config.name, pathOf(issue), said);
    }
    return parsed.data as Record<string, unknown>;
  }

  /**
   * A provider for one environment, before any build: its settings checked, each credential setting
   * resolved to the value of the sensitive variable it names. Throws ProviderSettingsError naming the
   * setting (never a value).
   */
  create(config: ProviderConfig, variables: readonly ResolvedVariable[], host: ProviderHost): DeploymentProvider {
    const settings = this.validate(config);
    const definition = this.byName.get(config.name);
    if (!definition) throw new ProviderSettingsError(config.name, 'name', 'runs in the builder itself: ask the builder for it');
    const credentials: Record<string, string> = {};
    for (const key of definition.credentials) {
      const name = settings[key];
      // an optional credential left out (its schema allowed it): the provider goes without
      if (name === undefined) continue;
      if (typeof name !== 'string' || !name) throw new ProviderSettingsError(config.name, `settings.${key}`, 'must be the name of a sensitive variable holding the credential');
      const variable = variables.find((v) => v.key === name);
      if (!variable) throw new ProviderSettingsError(config.name, `settings.${key}`, `names the variable ${name}, which this environment does not have`);
      if (!variable.sensitive) throw new ProviderSettingsError(config.name, `settings.${key}`, `names the variable ${name}, which is not sensitive: a credential must be a sensitive variable`);
      if (!variable.value) throw new ProviderSettingsError(config.name, `settings.${key}`, `names the variable ${name}, which is empty`);
      credentials[key] = variable.value;
    }
    return definition.create({ settings, credentials, host });
  }
}
