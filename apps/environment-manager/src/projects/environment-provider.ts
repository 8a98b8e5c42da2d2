import { type EnvironmentProvider, ErrorCode, type Result, type UpdateEnvironmentBody, err } from '@flightdeck/contracts';
import { BUILT_IN_PROVIDERS, INTERNAL_PROVIDER, ProviderRegistry, ProviderSettingsError } from '@flightdeck/providers';

// An environment's provider configuration, checked against the provider's own settings schema
// before it is stored (credentials are names of sensitive variables: whether those exist is
// checked by the builder before each build, since variables change on their own).

const registry = new ProviderRegistry(BUILT_IN_PROVIDERS);

/** the configuration as it will be stored (the provider's defaults filled in; internal → null), or the refusal naming the setting */
export const checkProvider = (body: Pick<UpdateEnvironmentBody, 'provider'>): Result<EnvironmentProvider | null> | undefined => {
  if (body.provider === undefined) return undefined;
  if (body.provider === null || (body.provider.name === INTERNAL_PROVIDER && !Object.keys(body.provider.settings ?? {}).length)) return { ok: true, data: null };
  try {
    const settings = registry.validate({ name: body.provider.name, settings: body.provider.settings ?? {} });
    return { ok: true, data: { name: body.provider.name, settings } };
  } catch (e) {
    if (e instanceof ProviderSettingsError) return err(ErrorCode.InvalidInput, e.message, { field: `provider.${e.setting}` });
    throw e;
  }
};

/** the change to store, when the configuration differs from what is stored */
export const providerChange = (stored: { name: string; settings: object } | null | undefined, next: EnvironmentProvider | null | undefined): { provider?: EnvironmentProvider | null } =>
  next === undefined || JSON.stringify(next) === JSON.stringify(stored ?? null) ? {} : { provider: next };
