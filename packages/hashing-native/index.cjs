'use strict';
// The compiled addon, or undefined: a missing build is a normal state (no compiler at install),
// so loading never throws.
const path = require('node:path');
try {
  module.exports = { addon: require(path.join(__dirname, 'build', 'Release', 'hash_batch.node')) };
} catch {
  module.exports = { addon: undefined };
}
