// Differential test: approov::sf (through approov_sf_tool) against the npm package
// structured-headers, over the project's case files and generated field values (valid ones
// and mutated ones). Both must agree on accept/reject and, when both accept, on the canonical
// serialization, except for the documented differences below (DIFFERENCES): there the
// package departs from RFC 9651 and our result is the RFC's.
//   node differential.mjs SF_TOOL NPM_CACHE_DIR DATA_DIR
// Exit status 0 when every disagreement is documented, 1 otherwise.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [tool, cache, dataDir] = process.argv.slice(2).map((p) => path.resolve(p));
const sh = createRequire(path.join(cache, 'index.js'))('structured-headers');
const shVersion = JSON.parse(
  readFileSync(path.join(cache, 'node_modules/structured-headers/package.json'), 'utf8')).version;

// ---- Documented differences ------------------------------------------------------------------
// Each: why the package differs, and `explains(ours, npm)`: true when the disagreement is this
// one. `ours`/`npm` are {ok, text, error}; `input` is the field value.
const JS_DATE_LIMIT = 8.64e12;  // seconds: the largest JavaScript Date
const DIFFERENCES = {
  'decimal-integral': {
    why: 'the package keeps Decimals as JavaScript numbers, so a Decimal whose value is integral ' +
        '(1.0, -0.0) comes back as an Integer and serializes as "1" instead of "1.0"',
    normalize: (t) => t.replace(/(^|[=( ,;])(-?)(\d+)\.0(?![0-9])/g, '$1$2$3'),
  },
  'date-not-last': {
    why: 'the package\'s Date parser reads digits to the end of the input and fails on anything ' +
        'after a Date (a parameter, another member), which RFC 9651 allows',
    explains: (ours, npm, input) => ours.ok && !npm.ok && /@-?[0-9]/.test(input) &&
        npm.error.includes('Expected a digit (0-9), whitespace or EOL'),
  },
  'date-range': {
    why: 'the package turns Dates into JavaScript Dates, which end at 8.64e12 seconds: a larger ' +
        'Date (RFC 9651 allows 15 digits) serializes as "@NaN"',
    normalize: (t) => t.replace(/@(-?\d+)/g, (m, v) => (Math.abs(Number(v)) > JS_DATE_LIMIT ?
        '@NaN' : m)),
  },
  'display-control': {
    why: 'the package writes a Display String byte below 0x10 as one hex digit ("%a" for a ' +
        'newline) where RFC 9651 §4.1.11 requires two ("%0a"); such output does not parse again',
    normalize: (t) => t.replace(/%0([0-9a-f])/g, '%$1'),
  },
};

// Which documented differences explain a disagreement over `input` ([] if none does).
function explain(ours, npm, input) {
  for (const [id, d] of Object.entries(DIFFERENCES)) {
    if (d.explains && d.explains(ours, npm, input)) return [id];
  }
  if (!ours.ok || !npm.ok) return [];
  const normalizers = Object.entries(DIFFERENCES).filter(([, d]) => d.normalize);
  for (const [id, d] of normalizers) {
    if (d.normalize(ours.text) === npm.text) return [id];
  }
  let text = ours.text;
  const used = [];
  for (const [id, d] of normalizers) {
    const next = d.normalize(text);
    if (next !== text) used.push(id);
    text = next;
  }
  return text === npm.text ? used : [];
}

// ---- The npm side ----------------------------------------------------------------------------
function viaNpm(type, input) {
  let value;
  try {
    value = type === 'list' ? sh.parseList(input) :
        type === 'dictionary' ? sh.parseDictionary(input) : sh.parseItem(input);
  } catch (e) {
    return { ok: false, text: '', error: String(e.message) };
  }
  try {
    const text = type === 'list' ? sh.serializeList(value) :
        type === 'dictionary' ? sh.serializeDictionary(value) : sh.serializeItem(value);
    return { ok: true, text, error: '' };
  } catch (e) {
    return { ok: false, text: '', error: 'serialize: ' + String(e.message) };
  }
}

// ---- Case files (same format as structured_fields_test.cpp reads) ----------------------------
function unescape(s) {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[tnrs\\])/g, (m, e) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', s: ' ', '\\': '\\' }[e];
  });
}

function loadCases(file) {
  const cases = [];
  let c = null;
  readFileSync(path.join(dataDir, file), 'latin1').split('\n').forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('== ')) {
      c = { name: `${file}:${i + 1} ${line.slice(3)}`, inputs: [], npm: '' };
      cases.push(c);
      return;
    }
    const colon = line.indexOf(':');
    const key = line.slice(0, colon);
    let value = line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (key === 'type') c.type = value;
    else if (key === 'input') c.inputs.push(value);
    else if (key === 'input-x') c.inputs.push(unescape(value));
    else if (key === 'npm') c.npm = value;
  });
  return cases.map((k) => ({ ...k, input: k.inputs.join(', ') }));
}

// ---- Generated values ------------------------------------------------------------------------
let seed = 0x9651;
function random() {  // mulberry32: the same corpus on every run
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(random() * a.length)];
const BARE = ['0', '7', '-1', '42', '-0', '007', '999999999999999', '1.5', '-0.5', '1.0',
  '0.001', '2.50', '123456789012.123', '"a"', '""', '"a\\"b"', '"\\\\"', '"sp ace"', 'tok', 'Tok',
  '*t', 'a:b/c', 'x!#$%&\'*+-.^_`|~', ':aGVsbG8=:', ':aGVsbG8:', '::', ':iZ==:', '?0', '?1', '@0',
  '@1659578233', '@-1', '@99999999999999', '%"x"', '%"%c3%bc"', '%"%0a"', '%""', '%"\\"',
  '%"%22%25"'];
// Values that must be refused, mixed in now and then.
const BAD_BARE = ['1000000000000000', '1.1234', '1234567890123.1', '1.', '"\xe9"', ':YQ=:', ':a:',
  '?2', '@1.5', '%"%C3"', '%"%c3"'];
const KEYS = ['a', 'b', 'c', '*', 'a-b', 'x.y', 'k_1', 'sig', 'install', 'alg'];
const BAD_KEYS = ['A', '1a', '_k'];
const bare = () => (random() < 0.05 ? pick(BAD_BARE) : pick(BARE));
const key = () => (random() < 0.03 ? pick(BAD_KEYS) : pick(KEYS));
const sp = () => pick(['', '', '', ' ', '  ']);
function params() {
  let out = '';
  const n = pick([0, 0, 1, 1, 2, 3]);
  for (let i = 0; i < n; i++) {
    out += ';' + pick(['', '', ' ']) + key() + (random() < 0.7 ? '=' + bare() : '');
  }
  return out;
}
const item = () => bare() + params();
function innerList() {
  const items = [];
  const n = pick([0, 1, 2, 3]);
  for (let i = 0; i < n; i++) items.push(item());
  return '(' + sp() + items.join(pick([' ', ' ', '  '])) + sp() + ')' + params();
}
const member = () => (random() < 0.3 ? innerList() : item());
const sep = () => pick([', ', ',', ' , ', ',\t', ',  ']);
function generate(type) {
  if (type === 'item') return sp() + item() + sp();
  const members = [];
  const n = pick([0, 1, 2, 3, 4]);
  for (let i = 0; i < n; i++) {
    if (type === 'list') members.push(member());
    else members.push(key() + (random() < 0.75 ? '=' + member() : params()));
  }
  return sp() + members.join(sep()) + sp();
}
const MUTATION_CHARS = [' ', '\t', ',', ';', '=', '(', ')', '"', '\\', ':', '?', '@', '%', '*',
  '-', '.', '0', '9', 'a', 'Z', '\x7f', '\xe9', '\x00'];
function mutate(s) {
  const n = 1 + Math.floor(random() * 3);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(random() * (s.length + 1));
    const r = random();
    if (r < 0.4) s = s.slice(0, i) + pick(MUTATION_CHARS) + s.slice(i);
    else if (r < 0.7) s = s.slice(0, i) + s.slice(i + 1);
    else s = s.slice(0, i) + pick(MUTATION_CHARS) + s.slice(i + 1);
  }
  return s;
}

// ---- Run -------------------------------------------------------------------------------------
const corpus = [];
for (const file of ['rfc9651_examples.txt', 'cases.txt']) {
  for (const c of loadCases(file)) corpus.push({ ...c, from: 'cases' });
}
const PER_TYPE = 3000;
for (const type of ['list', 'dictionary', 'item']) {
  for (let i = 0; i < PER_TYPE; i++) {
    const valid = generate(type);
    corpus.push({ type, input: valid, name: `generated ${type}`, npm: '', from: 'generated' });
    corpus.push({ type, input: mutate(valid), name: `mutated ${type}`, npm: '',
      from: 'generated' });
  }
}

const request = corpus.map((c) => `${c.type} ${Buffer.from(c.input, 'latin1').toString('hex')}`)
    .join('\n') + '\n';
const replies = execFileSync(tool, { input: request, maxBuffer: 1 << 28 }).toString().split('\n');
const show = (s) => JSON.stringify(s);

const stats = { total: corpus.length, cases: 0, generated: 0, bothAccept: 0, bothReject: 0 };
const documented = {};
const unexplained = [];
const stale = [];
corpus.forEach((c, i) => {
  stats[c.from]++;
  const [status, payload = ''] = replies[i].split(' ', 2);
  const ours = status === 'ok' ?
    { ok: true, text: Buffer.from(payload, 'hex').toString('latin1'), error: '' } :
    { ok: false, text: '', error: replies[i] };
  const npm = viaNpm(c.type, c.input);
  if (ours.ok === npm.ok && ours.text === npm.text) {
    if (ours.ok) stats.bothAccept++; else stats.bothReject++;
    if (c.npm) stale.push(`${c.name}: tagged ${c.npm} but npm now agrees`);
    return;
  }
  const ids = explain(ours, npm, c.input);
  const tagged = c.from !== 'cases' || (ids.length > 0 && ids.includes(c.npm));
  if (ids.length === 0 || !tagged) {
    unexplained.push(`${c.name} (${c.type}) input ${show(c.input)}\n    ours: ${
      ours.ok ? show(ours.text) : ours.error}\n    npm:  ${npm.ok ? show(npm.text) : npm.error}${
      ids.length ? `\n    (looks like ${ids.join(', ')}: tag the case with npm: ${ids[0]})` : ''}`);
    return;
  }
  for (const id of ids) {
    documented[id] = documented[id] || { count: 0, example: '' };
    documented[id].count++;
    if (!documented[id].example) {
      documented[id].example = `${show(c.input)}: ours ${ours.ok ? show(ours.text) : 'reject'}, npm ${
        npm.ok ? show(npm.text) : 'reject'}`;
    }
  }
});

console.log(`structured-headers ${shVersion}: ${stats.total} field values (${stats.cases} from ` +
    `the case files, ${stats.generated} generated)`);
console.log(`  agree: ${stats.bothAccept} accepted with the same canonical text, ` +
    `${stats.bothReject} rejected by both`);
for (const [id, d] of Object.entries(documented)) {
  console.log(`  documented difference ${id}: ${d.count} values, e.g. ${d.example}\n    ` +
      `(${DIFFERENCES[id].why})`);
}
for (const s of stale) console.log(`  note: ${s}`);
if (unexplained.length) {
  console.log(`FAIL: ${unexplained.length} undocumented disagreements:`);
  for (const u of unexplained.slice(0, 40)) console.log('  ' + u);
  process.exit(1);
}
console.log('OK: every disagreement is a documented difference');
