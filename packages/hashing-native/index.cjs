'use strict';
// The compiled addon, or the reason it is missing: a missing build is a normal state (no compiler
// at install), so loading never throws.
const path = require('node:path');
try {
  module.exports = { addon: require(path.join(__dirname, 'build', 'Release', 'hash_batch.node')) };
} catch (e) {
  module.exports = {
    addon: undefined,
    reason: e && e.code === 'MODULE_NOT_FOUND' ? 'not built at install' : String(e?.message),
  };
}
