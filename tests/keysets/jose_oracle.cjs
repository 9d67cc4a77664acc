// The npm `jose` package as an oracle for test_jose_differential.py (CommonJS, so that it can
// load jose from the test's cache directory by path; runs on Node 18 and 20 with jose 5).
//   node jose_oracle.cjs JOSE_DIR sign   INPUT.json  -> {"jwks":{...},"tokens":[{alg,kid,token}]}
//   node jose_oracle.cjs JOSE_DIR verify INPUT.json  -> [{"ok":bool,"error":"..."}] per token
// INPUT for sign: {"algorithms":[...],"payload":{...},"variants":[{...}]}; for verify: {"jwks":{...},"tokens":[...],
// "now":EPOCH}.
'use strict';
const fs = require('fs');
const path = require('path');

const [joseDir, mode, inputFile] = process.argv.slice(2);
const jose = require(path.join(joseDir, 'node_modules', 'jose'));
const input = JSON.parse(fs.readFileSync(inputFile, 'utf8'));

async function sign() {
  const keys = [];
  const tokens = [];
  for (const alg of input.algorithms) {
    const options = { extractable: true };
    if (alg.startsWith('RS') || alg.startsWith('PS')) options.modulusLength = 2048;
    if (alg === 'EdDSA') options.crv = 'Ed25519';
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, options);
    const kid = 'jose-' + alg;
    const jwk = await jose.exportJWK(publicKey);
    Object.assign(jwk, { kid, alg, use: 'sig' });
    keys.push(jwk);
    const token = await new jose.SignJWT(input.payload)
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .sign(privateKey);
    tokens.push({ alg, kid, token });
    // Payload variants (claims-rule cases), signed with the first algorithm's key.
    for (const variant of alg === input.algorithms[0] ? input.variants || [] : []) {
      const t = await new jose.SignJWT(variant)
        .setProtectedHeader({ alg, kid, typ: 'JWT' })
        .sign(privateKey);
      tokens.push({ alg, kid, token: t, variant: true });
    }
  }
  return { jwks: { keys }, tokens };
}

async function verify() {
  const set = jose.createLocalJWKSet(input.jwks);
  const results = [];
  for (const token of input.tokens) {
    try {
      await jose.jwtVerify(token, set, {
        currentDate: new Date(input.now * 1000),
        requiredClaims: ['exp'],
      });
      results.push({ ok: true, error: '' });
    } catch (e) {
      results.push({ ok: false, error: String(e.code || e.name || e.message) });
    }
  }
  return results;
}

(mode === 'sign' ? sign() : verify()).then(
  (out) => process.stdout.write(JSON.stringify(out)),
  (e) => {
    process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
    process.exit(1);
  });
