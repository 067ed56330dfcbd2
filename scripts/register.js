/**
 * Require hook for the app's TypeScript: transpile-only with sucrase, cached on disk by file path, size
 * and mtime, so `cdktf synth` does not re-transpile unchanged files. Type checking is `npm run typecheck`.
 * Usage: node -r ./scripts/register.js main.ts
 */
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const cacheDir = process.env.AMP_XA_TRANSPILE_CACHE || path.join(__dirname, '..', 'node_modules', '.cache', 'amp-xa-ts');
let transform; // sucrase loads only on a cache miss

function compileTs(module, filename) {
  const stat = fs.statSync(filename);
  const key = crypto.createHash('sha1').update(`${filename}\0${stat.size}\0${stat.mtimeMs}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, 'utf8');
  } catch {
    transform ??= require('sucrase').transform;
    code = transform(fs.readFileSync(filename, 'utf8'), { transforms: ['typescript', 'imports'], filePath: filename }).code;
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached); // atomic: parallel synths never read half a file
    } catch {
      /* a read-only tree still works, just without the cache */
    }
  }
  module._compile(code, filename);
}

require.extensions['.ts'] = compileTs;

// cdktf 0.21, its final release, calls util.isArray on every synth, which Node 22 deprecates at runtime (DEP0044):
// a warning on every run that no user can act on. Only that one is silenced; every other warning still prints.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? rest[0].code : rest[1];
  if (code === 'DEP0044') return;
  return emitWarning.call(this, warning, ...rest);
};
