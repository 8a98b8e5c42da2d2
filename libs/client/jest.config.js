module.exports = require('../../jest.preset')(__dirname, 'lib:client');
