// Peer: an Approov-protected hello server written the way the Node.js quickstart does it,
// with the `http` module and the npm package jsonwebtoken (jwt.verify, HS256 only), a debug
// line per request. The secret is wrapped once in a KeyObject (with a plain Buffer,
// jsonwebtoken 9 re-imports the key on every call and is some 40x slower).
// Environment: APPROOV_BASE64_SECRET, HTTP_PORT (default 8002); listens on 127.0.0.1.
'use strict';
const crypto = require('crypto');
const http = require('http');
const jwt = require('jsonwebtoken');

const secretB64 = process.env.APPROOV_BASE64_SECRET;
if (!secretB64) {
  console.error('APPROOV_BASE64_SECRET is not set');
  process.exit(1);
}
const key = crypto.createSecretKey(Buffer.from(secretB64, 'base64'));
const port = Number(process.env.HTTP_PORT || 8002);

function tokenIsValid(req) {
  const token = req.headers['approov-token'];
  if (!token) {
    console.debug('no Approov-Token header');
    return false;
  }
  try {
    jwt.verify(token, key, { algorithms: ['HS256'] });
    return true;
  } catch (err) {
    console.debug('Approov token rejected: ' + err.message);
    return false;
  }
}

http.createServer((req, res) => {
  console.debug(req.method + ' ' + req.url);
  res.setHeader('Content-Type', 'application/json');
  if (!tokenIsValid(req)) {
    res.statusCode = 401;
    res.end('{}');
    return;
  }
  res.statusCode = 200;
  res.end(JSON.stringify({ message: 'Hello, World!' }));
}).listen(port, '127.0.0.1');
