// A provider's credentials (ProviderDefinition.credentials) are settings holding the NAME of a
// sensitive variable of the environment: the deployer's, not the app's. A provider that hands the
// deployment's variables to what it runs (a container, pods) leaves those variables out.

/** the names of the variables the settings give as credentials (a credential left out names none) */
export function credentialVariables(settings: object, credentials: readonly string[]): Set<string> {
  const values = settings as Record<string, unknown>;
  return new Set(credentials.map((key) => values[key]).filter((name): name is string => typeof name === 'string' && name !== ''));
}

/** the deployment's variables without those the settings name as credentials */
export function withoutCredentials(env: Record<string, string>, settings: object, credentials: readonly string[]): Record<string, string> {
  const names = credentialVariables(settings, credentials);
  return Object.fromEntries(Object.entries(env).filter(([key]) => !names.has(key)));
}
