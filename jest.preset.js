const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const swc = JSON.parse(readFileSync(join(__dirname, '.swcrc'), 'utf8'));
delete swc.$schema;

// One preset for every project: swc transform (with decorator metadata for Nest) and lib aliases.
module.exports = (dir, name) => ({
  displayName: name,
  rootDir: dir,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@flightdeck/migrations/(.*)$': join(__dirname, 'migrations/$1/index.ts'),
    '^@flightdeck/(.*)$': join(__dirname, 'libs/$1/src/index.ts'),
  },
  testMatch: ['<rootDir>/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  setupFilesAfterEnv: [join(__dirname, 'jest.setup.js')],
});
