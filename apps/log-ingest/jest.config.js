module.exports = require('../../jest.preset')(__dirname, 'log-ingest');
