// The HTTP benchmark's peer for message signing: a minimal Node.js server doing what
// hello-server-message-signing-check does, with the npm package http-message-signatures for
// the RFC 9421 check. One process, one thread (pinned to one core by bench/http-signing.sh).
//   APPROOV_BASE64_SECRET=... PORT=8002 node server.js   (NODE_PATH: where the package is)
// GET / and POST / (body up to 1 MiB): 200 {"message": "Hello, World!"} when the HS256 token
// is valid and, if it carries an ipk, its installation signature (ecdsa-p256-sha256) over at
// least @method, @target-uri and approov-token verifies, with Content-Digest (sha-256)
// checked against a body; 401 {} otherwise.
'use strict';
const http = require('http');
const crypto = require('crypto');
const hms = require('http-message-signatures');

const secret = Buffer.from(process.env.APPROOV_BASE64_SECRET || '', 'base64');
if (secret.length < 32) {
  console.error('APPROOV_BASE64_SECRET must hold at least 32 bytes');
  process.exit(2);
}
const port = Number(process.env.PORT || 8002);
const HELLO = '{"message": "Hello, World!"}';
const verifiers = new Map(); // ipk -> the package's verifier for that device key (bounded)

function claimsOf(token) {
  if (typeof token !== 'string' || token.length > 8192) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const mac = crypto.createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const sig = Buffer.from(parts[2], 'base64url');
  if (sig.length !== mac.length || !crypto.timingSafeEqual(sig, mac)) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    if (header.alg !== 'HS256' || typeof claims.exp !== 'number') return null;
    return Date.now() / 1000 < claims.exp ? claims : null;
  } catch (e) {
    return null;
  }
}

function verifierFor(ipk) {
  let v = verifiers.get(ipk);
  if (!v) {
    const key = crypto.createPublicKey({ key: Buffer.from(ipk, 'base64'), format: 'der',
      type: 'spki' });
    v = hms.createVerifier(key, 'ecdsa-p256-sha256');
    if (verifiers.size > 10000) verifiers.clear();
    verifiers.set(ipk, v);
  }
  return v;
}

async function check(req, body) {
  const claims = claimsOf(req.headers['approov-token']);
  if (!claims) return false;
  if (claims.ipk === undefined) return true;  // failover tokens go through unsigned
  const verify = verifierFor(claims.ipk);
  if (body.length > 0) {
    const m = /sha-256=:([A-Za-z0-9+/=]+):/.exec(req.headers['content-digest'] || '');
    const want = crypto.createHash('sha256').update(body).digest();
    if (!m || !crypto.timingSafeEqual(Buffer.from(m[1], 'base64'), want)) return false;
  }
  const required = ['@method', '@target-uri', 'approov-token'];
  if (body.length > 0) required.push('content-digest');
  const ok = await hms.httpbis.verifyMessage({
    keyLookup: async () => ({ id: 'ipk', algs: ['ecdsa-p256-sha256'], verify }),
    requiredFields: required, requiredParams: ['alg', 'created', 'expires'], tolerance: 60,
  }, { method: req.method, url: `http://${req.headers.host}${req.url}`, headers: req.headers });
  return ok === true;
}

http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > 1024 * 1024) req.destroy();
    else chunks.push(c);
  });
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    check(req, body).catch(() => false).then((ok) => {
      const path = req.url.split('?')[0];
      let status = 401;
      let text = '{}';
      if (ok) {
        const hello = path === '/' && (req.method === 'GET' || req.method === 'POST');
        status = hello ? 200 : 400;
        text = hello ? HELLO : '{}';
      }
      res.writeHead(status, { 'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
}).listen(port, '127.0.0.1', () => console.log(`node-message-signing listening on ` +
    `http://127.0.0.1:${port}/`));
