// Differential test of message signing (RFC 9421) against the npm package
// http-message-signatures, in both directions and for both Approov signatures:
//   - requests signed by the package (ecdsa-p256-sha256 with a device key whose public half is
//     the token's ipk; hmac-sha256 with the account secret and an mskid token) must pass our
//     whole RequestCheck (token + signature), as Byte Sequences and in the sf-string form;
//   - requests signed by our sign_request must verify with the package;
//   - the signature bases both build for the same Signature-Input must be byte-identical;
//   - a tampered request must fail on both sides (so that the test can fail at all).
// Cases where the two disagree by design are listed in DIFFERENCES with who is right per
// RFC 9421; a case that disagrees without a documented reason, or a documented difference
// that no longer shows, fails the test.
//   node differential.mjs SIGNING_TOOL NPM_CACHE_DIR
// Prints "N passed, N failed"; exit status 1 when anything failed.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [tool, cache] = process.argv.slice(2).map((p) => path.resolve(p));
const hms = createRequire(path.join(cache, 'index.js'))('http-message-signatures');
const hmsVersion = JSON.parse(readFileSync(
    path.join(cache, 'node_modules/http-message-signatures/package.json'), 'utf8')).version;

// ---- Documented differences ------------------------------------------------------------------
const DIFFERENCES = {
  'method-case': 'the package uppercases @method; RFC 9421 §2.2.1 says the method is taken as ' +
      'sent, case-sensitive, with no case transformation: ours is right',
  'target-uri-normalization': 'the package signs @target-uri as the URL string it was given; ' +
      'ours rebuilds it from the request as HTTP does (scheme and host lowercased, default port ' +
      'dropped: RFC 9110 §4.2.3, which RFC 9421 §2.2.2 refers to). A client must sign the ' +
      'normalized URI (OkHttp, which the Android SDK uses, does): ours is right for that ' +
      'client; the package is right only when the client sends the exact string it signed',
  'query-param-encoding': 'the package re-encodes @query-param values with encodeURIComponent, ' +
      'which leaves ! \' ( ) ~ as they are; RFC 9421 §2.2.8 requires the WHATWG ' +
      'application/x-www-form-urlencoded percent-encode set, which encodes them: ours is right',
  'query-param-repeated': 'for a name that occurs more than once the package signs every value; ' +
      'RFC 9421 §2.2.8 says such a parameter MUST NOT be included, and ours refuses it ' +
      '(bad_component): ours is right',
  'path-normalization': 'the package derives @path, @query and @request-target from a WHATWG ' +
      'URL, which removes dot segments; ours takes them from the request target as received ' +
      '(RFC 9421 §2.2.6 normalizes only an empty path). Clients remove dot segments before ' +
      'sending, so the request target a server sees has none: no practical difference',
  'sf-on-unknown-field': 'the package accepts ;sf on any field and guesses its structured type; ' +
      'RFC 9421 §2.1.1 needs the field\'s type to be known, and ours allows ;sf only on the ' +
      'Dictionary fields it knows (bad_component otherwise): ours is stricter, by design',
  'string-form': 'the package accepts only a Byte Sequence in Signature (RFC 9421 §4.2: the ' +
      'package is right per the RFC); ours also accepts an sf-string of base64, the form ' +
      'Approov\'s Android SDK sends',
};

// ---- helpers ---------------------------------------------------------------------------------
const hex = (s) => Buffer.from(s, 'latin1').toString('hex');
const unhex = (h) => Buffer.from(h, 'hex').toString('latin1');
const TEST_SECRET = Buffer.from(
    'h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==',
    'base64');
const ACCOUNT_SECRET = Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 7 + 3) & 0xff));
const b64url = (b) => Buffer.from(b).toString('base64url');

function mint(claims) {
  const h = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
  const p = b64url(JSON.stringify(claims));
  const sig = crypto.createHmac('sha256', TEST_SECRET).update(`${h}.${p}`).digest();
  return `${h}.${p}.${b64url(sig)}`;
}

const device = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ipk = device.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const devicePem = device.privateKey.export({ type: 'pkcs8', format: 'pem' });
const now = Math.floor(Date.now() / 1000);
const ALGS = {
  'ecdsa-p256-sha256': {
    label: 'install',
    token: mint({ exp: now + 3600, ipk }),
    signer: hms.createSigner(device.privateKey, 'ecdsa-p256-sha256'),
    verifier: hms.createVerifier(device.publicKey, 'ecdsa-p256-sha256'),
    ours: { key: devicePem },
  },
  'hmac-sha256': {
    label: 'account',
    token: mint({ exp: now + 3600, mskid: 'account-1' }),
    signer: hms.createSigner(ACCOUNT_SECRET, 'hmac-sha256'),
    verifier: hms.createVerifier(ACCOUNT_SECRET, 'hmac-sha256'),
    ours: {},
  },
};

// One process of the tool for the whole run: one request line in, one answer line out.
function runTool(lines) {
  const r = spawnSync(tool, [], { input: lines.join('\n') + '\n', encoding: 'latin1' });
  if (r.status !== 0) throw new Error(`tool failed: ${r.stderr}`);
  return r.stdout.split('\n').slice(0, lines.length);
}

function requestFields(req) {
  const f = [`method=${hex(req.method)}`, `scheme=${hex(req.scheme)}`,
    `authority=${hex(req.authority)}`, `target=${hex(req.target)}`];
  for (const [n, v] of req.headers) f.push(`hn=${hex(n)}`, `hv=${hex(v)}`);
  if (req.body !== undefined) f.push(`body=${hex(req.body)}`);
  return f;
}

function npmRequest(req) {
  const headers = {};
  for (const [n, v] of req.headers) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === n.toLowerCase()) ?? n;
    headers[key] = key in headers ? [].concat(headers[key], v) : v;
  }
  return { method: req.method, url: req.url ?? `${req.scheme}://${req.authority}${req.target}`,
    headers };
}

function npmBase(req, input) {
  // The package's own base for a Signature-Input member (as its verifier builds it).
  const sh = createRequire(path.join(cache, 'index.js'))('structured-headers');
  const parsed = sh.parseDictionary(`sig=${input}`).get('sig');
  const fields = parsed[0].map((item) => sh.serializeItem(item));
  const base = hms.httpbis.createSignatureBase({ fields }, npmRequest(req));
  base.push(['"@signature-params"', [sh.serializeList([parsed])]]);
  return hms.httpbis.formatSignatureBase(base);
}

// ---- cases -------------------------------------------------------------------------------
const SDK = ['"@method"', '"@target-uri"', '"approov-token"'];
const body = '{"shape": "circle", "sizes": [1, 2, 3]}';
const digest = (b) => `sha-256=:${crypto.createHash('sha256').update(b).digest('base64')}:`;
const digest512 = (b) => `sha-512=:${crypto.createHash('sha512').update(b).digest('base64')}:`;
const CASES = [
  { name: 'SDK components, GET with a query', method: 'GET', scheme: 'https',
    authority: 'api.example.com', target: '/v1/shapes?x=1', headers: [], comps: SDK },
  { name: 'SDK components, POST with a body', method: 'POST', scheme: 'http',
    authority: '127.0.0.1:8002', target: '/', body,
    headers: [['Authorization', 'Bearer user-1'], ['Content-Length', String(body.length)],
      ['Content-Type', 'application/json'], ['Content-Digest', digest(body)]],
    comps: [...SDK, '"authorization"', '"content-length"', '"content-type"', '"content-digest"'] },
  { name: 'every derived component', method: 'PUT', scheme: 'https',
    authority: 'api.example.com:8443', target: '/a/b%20c?d=e&f', headers: [],
    comps: ['"@method"', '"@target-uri"', '"@authority"', '"@scheme"', '"@path"', '"@query"',
      '"@request-target"', '"approov-token"'] },
  { name: 'no query, root path', method: 'DELETE', scheme: 'http', authority: 'localhost',
    target: '/', headers: [], comps: ['"@method"', '"@path"', '"@query"', '"@target-uri"',
      '"approov-token"'] },
  { name: 'several field lines of one name, raw and ;bs', method: 'GET', scheme: 'https',
    authority: 'api.example.com', target: '/', headers: [['X-List', 'a, b'], ['X-List', '  c  '],
      ['X-Empty', '']],
    comps: [...SDK, '"x-list"', '"x-list";bs', '"x-empty"'] },
  { name: 'content-digest ;sf and ;key', method: 'POST', scheme: 'https',
    authority: 'api.example.com', target: '/upload', body,
    headers: [['Content-Digest', `${digest512(body)},   ${digest(body)}`]],
    comps: [...SDK, '"content-digest"', '"content-digest";sf', '"content-digest";key="sha-256"'] },
  { name: '@query-param, plain and form-encoded values', method: 'GET', scheme: 'https',
    authority: 'api.example.com', target: '/search?id=42&q=a+b&r=c%20d&s=%E2%82%AC&a%20b=1',
    headers: [], comps: [...SDK, '"@query-param";name="id"', '"@query-param";name="q"',
      '"@query-param";name="r"', '"@query-param";name="s"', '"@query-param";name="a%20b"'] },
  { name: 'empty query ("/a?")', method: 'GET', scheme: 'https', authority: 'api.example.com',
    target: '/a?', headers: [], comps: [...SDK, '"@query"'] },
  { name: 'Host with an uppercase name and the default port', method: 'GET', scheme: 'https',
    authority: 'API.Example.com:443', target: '/x', url: 'https://API.Example.com:443/x',
    headers: [], comps: SDK, expect: 'target-uri-normalization' },
  { name: 'lowercase method', method: 'patch', scheme: 'https', authority: 'api.example.com',
    target: '/', headers: [], comps: SDK, expect: 'method-case' },
  { name: '@query-param value with ! and ~', method: 'GET', scheme: 'https',
    authority: 'api.example.com', target: '/?v=wow!~', headers: [],
    comps: [...SDK, '"@query-param";name="v"'], expect: 'query-param-encoding' },
  { name: '@query-param name given twice', method: 'GET', scheme: 'https',
    authority: 'api.example.com', target: '/?id=1&id=2', headers: [],
    comps: [...SDK, '"@query-param";name="id"'], expect: 'query-param-repeated' },
  { name: 'dot segments in the path', method: 'GET', scheme: 'https',
    authority: 'api.example.com', target: '/a/../b', headers: [],
    comps: [...SDK, '"@path"'], expect: 'path-normalization' },
  { name: ';sf on a field of unknown type', method: 'GET', scheme: 'https',
    authority: 'api.example.com', target: '/', headers: [['X-Dict', 'a=1,  b=2']],
    comps: [...SDK, '"x-dict";sf'], expect: 'sf-on-unknown-field' },
];

// ---- run ---------------------------------------------------------------------------------
const results = [];
const record = (name, ok, detail = '') => {
  results.push(ok);
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
};

async function npmVerify(req, input, signature, alg) {
  const a = ALGS[alg];
  const message = npmRequest({ ...req, headers: [...req.headers,
    ['Signature-Input', `${a.label}=${input}`], ['Signature', `${a.label}=${signature}`]] });
  try {
    const ok = await hms.httpbis.verifyMessage({
      keyLookup: async () => ({ id: 'key', algs: [alg], verify: a.verifier }),
    }, message);
    return ok === true ? 'ok' : `rejected (${ok})`;
  } catch (e) {
    return `threw: ${e.message}`;
  }
}

async function main() {
  console.log(`http-message-signatures ${hmsVersion}, node ${process.version}`);
  const summary = {};
  for (const c of CASES) {
    for (const [alg, a] of Object.entries(ALGS)) {
      const req = { ...c, headers: [['Approov-Token', a.token], ...c.headers] };
      const created = now - 1;
      const expires = now + 120;  // the package checks expiry on its own clock: room for a slow run
      const outcome = {};
      // 1. The package signs; our RequestCheck verifies (both signature forms).
      let npmInput = null;
      let npmSig = null;
      try {
        const signed = await hms.httpbis.signMessage({
          key: a.signer, name: a.label, fields: c.comps, params: ['alg', 'created', 'expires'],
          paramValues: { created: new Date(created * 1000), expires: new Date(expires * 1000) },
        }, npmRequest(req));
        npmInput = signed.headers['Signature-Input'].slice(a.label.length + 1);
        npmSig = signed.headers.Signature.slice(a.label.length + 1);
      } catch (e) {
        outcome.npmSign = `threw: ${e.message}`;
      }
      // 2. We sign; the package verifies.
      const signLine = ['sign', ...requestFields(req), ...c.comps.map((x) => `comp=${hex(x)}`),
        `label=${hex(a.label)}`, `created=${hex(String(created))}`,
        `expires=${hex(String(expires))}`];
      if (a.ours.key) signLine.push(`key=${hex(a.ours.key)}`);
      else signLine.push(`acct=${hex(ACCOUNT_SECRET.toString('latin1'))}`);
      const [oursSigned, oursSignedString] = runTool([signLine.join(' '),
        [...signLine, `form=${hex('string')}`].join(' ')]);
      const verifyLine = (input, sig, tamper = false) => {
        const r = { ...req, headers: [...req.headers, ['Signature-Input', `${a.label}=${input}`],
          ['Signature', `${a.label}=${sig}`]] };
        if (tamper) r.target = r.target + (r.target.includes('?') ? '&' : '?') + 'tampered=1';
        const line = ['verify', ...requestFields(r), `now=${hex(String(now))}`];
        if (!a.ours.key) line.push(`acct=${hex(ACCOUNT_SECRET.toString('latin1'))}`);
        return line.join(' ');
      };
      if (npmInput) {
        const stringSig = `"${npmSig.slice(1, -1)}"`;
        [outcome.oursVerify, outcome.oursVerifyString, outcome.oursVerifyTampered] =
            runTool([verifyLine(npmInput, npmSig), verifyLine(npmInput, stringSig),
              verifyLine(npmInput, npmSig, true)]);
        // The bases both sides build for the package's Signature-Input.
        const [oursBase] = runTool([['base', ...requestFields(req),
          `input=${hex(npmInput)}`].join(' ')]);
        let theirs;
        try {
          theirs = npmBase(req, npmInput);
        } catch (e) {
          theirs = `threw: ${e.message}`;
        }
        outcome.sameBase = oursBase.startsWith('ok ') ? unhex(oursBase.slice(3)) === theirs :
            `ours: ${oursBase}`;
        if (outcome.sameBase !== true) {
          outcome.bases = { ours: oursBase.startsWith('ok ') ? unhex(oursBase.slice(3)) : oursBase,
            npm: theirs };
        }
      }
      if (oursSigned.startsWith('ok ')) {
        const [, input, sig] = oursSigned.split(' ').map(unhex);
        outcome.npmVerify = await npmVerify(req, input, sig, alg);
        const tampered = { ...req, method: req.method === 'GET' ? 'HEAD' : 'GET' };
        outcome.npmVerifyTampered = await npmVerify(tampered, input, sig, alg);
        const [, sInput, sSig] = oursSignedString.split(' ').map(unhex);
        outcome.npmVerifyString = await npmVerify(req, sInput, sSig, alg);
      } else {
        outcome.oursSign = unhex(oursSigned.slice(6));
      }

      const agree = outcome.oursVerify === 'ok' && outcome.npmVerify === 'ok' &&
          outcome.sameBase === true;
      const label = `${c.name} [${alg}]`;
      if (!c.expect) {
        record(`${label}: the package's signature passes our check`, outcome.oursVerify === 'ok',
            JSON.stringify(outcome));
        record(`${label}: our signature verifies with the package`, outcome.npmVerify === 'ok',
            JSON.stringify(outcome));
        record(`${label}: identical signature bases`, outcome.sameBase === true,
            JSON.stringify(outcome.bases ?? ''));
        record(`${label}: a tampered request fails on both sides`,
            outcome.oursVerifyTampered === 'bad_message_signature' &&
            outcome.npmVerifyTampered !== 'ok', JSON.stringify(outcome));
        if (alg === 'ecdsa-p256-sha256') {
          record(`${label}: the sf-string form of the package's signature passes our check`,
              outcome.oursVerifyString === 'ok', JSON.stringify(outcome));
          summary['string-form'] = summary['string-form'] ?? [];
          summary['string-form'].push(`${label}: package on our string form: ` +
              outcome.npmVerifyString);
          record(`${label}: the package refuses our sf-string form (string-form)`,
              outcome.npmVerifyString.startsWith('threw'), outcome.npmVerifyString);
        }
      } else {
        record(`${label}: disagrees as documented (${c.expect})`, !agree,
            agree ? 'no longer differs: update DIFFERENCES' : '');
        (summary[c.expect] = summary[c.expect] ?? []).push(`${label}: ${JSON.stringify(outcome)}`);
      }
    }
  }
  console.log('\nDocumented differences (who is right per RFC 9421):');
  for (const [id, why] of Object.entries(DIFFERENCES)) {
    console.log(`- ${id}: ${why}`);
    for (const line of summary[id] ?? []) console.log(`    ${line.slice(0, 600)}`);
  }
  const failed = results.filter((r) => !r).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
