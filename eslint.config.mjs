import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const SERVICES = ['gateway', 'deployment-orchestrator', 'builder', 'log-ingest', 'environment-manager'];

// What ships (a service's or lib's source, the npm start scripts) never reaches into tests or benchmarks.
const NOT_TESTS_OR_BENCH = {
  group: ['**/test', '**/test/**', '**/bench', '**/bench/**'],
  message: 'tests and benchmarks use the code that ships, never the other way round',
};

// Services meet only through libs/contracts and the bus: no app imports another app, and a lib never
// imports an app. `libTests`: a lib's own tests (libs/<lib>/test) may also use the test lib.
const depConstraints = (libTests = false) => [
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib', ...(libTests ? ['type:testing'] : [])] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib', 'type:testing', 'type:client'] },
  // the SDK (libs/client) runs in browsers too: contracts only
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:cli', onlyDependOnLibsWithTags: ['type:contracts', 'type:client'] },
  // the dashboard (apps/dashboard) is a browser app: it reaches the platform through the SDK only
  { sourceTag: 'type:dashboard', onlyDependOnLibsWithTags: ['type:contracts', 'type:client'] },
  { sourceTag: 'scope:gateway', notDependOnLibsWithTags: ['type:app'] },
];
const moduleBoundaries = (libTests = false) => [
  'error',
  { enforceBuildableLibDependency: false, allow: ['@flightdeck/migrations/*'], depConstraints: depConstraints(libTests) },
];

export default [
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'coverage/**', '.nx/**', 'bench/results/**', 'examples/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_TESTS_OR_BENCH] }] },
  },
  // A service's source never reaches into the test lib or another service's migrations (its tests
  // may use the test lib; the migrations alias is allowed above only for each service's own).
  // (A later entry replaces this rule's options for its files, so each repeats NOT_TESTS_OR_BENCH.)
  ...SERVICES.map((svc) => ({
    files: [`apps/${svc}/src/**/*.ts`],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@flightdeck/testing', message: 'test helpers stay in tests' },
            { name: '@flightdeck/local-stack', message: 'the local stack is for npm start, migrate, bench and tests' },
          ],
          patterns: [
            {
              group: ['@flightdeck/migrations/*', `!@flightdeck/migrations/${svc}`],
              message: "a service applies only its own migrations; another service's schema is not its business",
            },
            NOT_TESTS_OR_BENCH,
          ],
        },
      ],
    },
  })),
  // npm start, npm run migrate and npm run nats-config: the production start path runs on the local
  // stack, never on the test lib.
  {
    files: ['scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@flightdeck/testing', message: 'scripts start the platform on @flightdeck/local-stack; the test lib is for tests' }],
          patterns: [NOT_TESTS_OR_BENCH],
        },
      ],
    },
  },
  {
    files: ['libs/*/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(true) },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
