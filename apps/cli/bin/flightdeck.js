#!/usr/bin/env node
// Runs the CLI's TypeScript as `npm run deploy` does (@swc-node/register), from any directory.
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
process.env.SWC_NODE_PROJECT ??= join(root, 'tsconfig.json');
require('@swc-node/register');
require(join(__dirname, '..', 'src', 'main.ts'));
