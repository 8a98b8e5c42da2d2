// A build step that does real work: renders the page once into dist/.
const { mkdirSync, readFileSync, writeFileSync, copyFileSync } = require('node:fs');

const greeting = process.env.GREETING || 'Hello from Flightdeck';
console.log('building hello-node');
mkdirSync('dist', { recursive: true });
const html = readFileSync('index.html', 'utf8').replace('{{greeting}}', greeting).replace('{{builtAt}}', new Date().toISOString());
writeFileSync('dist/index.html', html);
copyFileSync('server.js', 'dist/server.js');
console.log('wrote dist/index.html and dist/server.js');
