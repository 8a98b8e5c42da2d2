module.exports = require('../../jest.preset')(__dirname, 'lib:providers');
