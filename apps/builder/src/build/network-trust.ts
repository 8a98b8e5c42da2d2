// The machine's network trust: what a build needs to reach a registry or a git host through this
// machine's network (proxies, CA bundles, a registry mirror). It describes the machine, not the
// builder, so it passes from the builder's environment to every build; nothing else of that
// environment does (a build has no credential for the bus or the database).
export const MACHINE_NETWORK_VARIABLES: readonly string[] = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'npm_config_registry',
  'NPM_CONFIG_REGISTRY',
  'COREPACK_NPM_REGISTRY',
];

// The builder setting through which an operator names further variables of this kind
// (comma-separated), e.g. GIT_SSL_CAINFO or a yarn registry variable.
export const PASS_THROUGH_SETTING = 'FLIGHTDECK_BUILD_PASS_THROUGH';

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Platform credentials and settings: the services' own (DATABASE_URL, NATS_*, FLIGHTDECK_*) and
// libpq's (PGPASSWORD, PGHOST, ...), which a build would use to reach the platform's database.
const PLATFORM_NAMES: readonly { test: (name: string) => boolean; why: string }[] = [
  { test: (n) => n.toUpperCase() === 'DATABASE_URL', why: "the platform's database URL" },
  { test: (n) => /^NATS_/i.test(n), why: 'a NATS setting of the platform' },
  { test: (n) => /^FLIGHTDECK_/i.test(n), why: 'a setting of the platform' },
  { test: (n) => /^PG/i.test(n), why: 'a Postgres client setting (libpq reads PG* variables)' },
];

/** the names of a FLIGHTDECK_BUILD_PASS_THROUGH value: comma-separated, blanks ignored, each once */
export const parsePassThroughList = (value: string | undefined): string[] => [
  ...new Set(
    (value ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  ),
];

/**
 * Why each of these names may not pass to builds (none: an empty list). `platformSettings` are the
 * names the builder's own settings schema declares: none of them is the machine's.
 */
export function passThroughProblems(names: readonly string[], platformSettings: Iterable<string>): string[] {
  const own = new Set(platformSettings);
  const problems: string[] = [];
  for (const name of names) {
    if (!VARIABLE_NAME.test(name)) {
      problems.push(`"${name}" is not a variable name`);
      continue;
    }
    const platform = PLATFORM_NAMES.find((p) => p.test(name));
    if (platform) problems.push(`${name} is ${platform.why}: builds never get it`);
    else if (own.has(name)) problems.push(`${name} is a setting of the builder: builds never get it`);
  }
  return problems;
}

/** throws one error naming every name that may not pass to builds */
export function assertPassThroughAllowed(names: readonly string[], platformSettings: Iterable<string>): void {
  const problems = passThroughProblems(names, platformSettings);
  if (problems.length) throw new Error(`${PASS_THROUGH_SETTING}: ${problems.join('; ')}`);
}

/** every variable name that passes from the builder to a build */
export const networkVariableNames = (extraNames: readonly string[] = []): string[] => [
  ...new Set([...MACHINE_NETWORK_VARIABLES, ...extraNames]),
];

/**
 * The machine's network trust out of `from`: the known variables and the operator's extra names,
 * those set and non-empty only. `extraNames` must have passed passThroughProblems (the builder's
 * settings schema checks them at start-up); a platform name among them is dropped all the same.
 */
export function networkEnvironment(from: NodeJS.ProcessEnv, extraNames: readonly string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of networkVariableNames(extraNames)) {
    if (PLATFORM_NAMES.some((p) => p.test(name))) continue;
    const value = from[name];
    if (value) env[name] = value;
  }
  return env;
}
