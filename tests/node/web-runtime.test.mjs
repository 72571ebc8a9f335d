// The DOM-free parts of the web runtime: URL state parsing against hostile values, widgets'
// validate() on bad input, the exercise answer parser, and the static server (MIME types,
// CSP header, no escape from dist/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { readParam, initialSettings, urlWith, MAX_PARAM } from '../../web/src/state.js';
import { parseAnswer } from '../../web/src/exercise.js';
import { widgets } from '../../web/src/widgets/registry.js';
import { startServer } from '../../web/serve.mjs';
import { CSP_HEADER } from '../../web/csp.mjs';
import { copyAssets } from '../../web/build.mjs';

const Toeplitz = (await widgets.toeplitz()).default;
const Flip = (await widgets.flip()).default;
const Slide = (await widgets['conv1d-slide']()).default;

test('readParam: absent, valid, and each kind of hostile value', () => {
  assert.deepEqual(readParam('?a=1', 'w-1'), { state: null });
  assert.deepEqual(readParam(`?w-1=${encodeURIComponent('{"n":3}')}`, 'w-1'), { state: { n: 3 } });
  assert.match(readParam('?w-1=%7Bnot', 'w-1').error, /not valid JSON/);
  assert.match(readParam('?w-1=[1,2]', 'w-1').error, /not a JSON object/);
  assert.match(readParam('?w-1=null', 'w-1').error, /not a JSON object/);
  assert.match(readParam(`?w-1=${'x'.repeat(MAX_PARAM + 1)}`, 'w-1').error, /longer than/);
});

test('initialSettings: URL overrides the lesson; rejected values fall back with a notice', () => {
  const search = (s) => `?w-1=${encodeURIComponent(JSON.stringify(s))}`;
  const ok = initialSettings(Toeplitz, { h: [1, 2, 3], n: 6 }, search({ n: 4 }), 'w-1');
  assert.equal(ok.notice, null);
  assert.equal(ok.settings.n, 4);
  assert.deepEqual(ok.settings.f, Toeplitz.validate({ n: 6 }).f.slice(0, 4));
  for (const bad of [{ n: 1e9 }, { n: 'six' }, { h: [] }, { h: Array(1000).fill(1) }, { h: [1, null] }, { f: [1, 2, 'x'] }]) {
    const r = initialSettings(Toeplitz, { h: [1, 2, 3], n: 6 }, search(bad), 'w-1');
    assert.ok(r.notice, `no notice for ${JSON.stringify(bad)}`);
    assert.deepEqual(r.settings, Toeplitz.validate({ h: [1, 2, 3], n: 6 }));
  }
});

test('validate: prototype keys and unknown fields are dropped, wrong types throw naming the field', () => {
  const clean = Flip.validate(JSON.parse('{"__proto__": {"polluted": 1}, "flip": true, "extra": 5}'));
  assert.deepEqual(Object.keys(clean).sort(), ['f', 'flip', 'h']);
  assert.equal({}.polluted, undefined);
  assert.throws(() => Flip.validate({ flip: 'yes' }), /"flip"/);
  assert.throws(() => Flip.validate({ f: [1, Infinity] }), /"f\[1\]"/);
  assert.throws(() => Slide.validate({ f: [1, 2, 3], u: 40 }), /"u" must be between/);
  assert.throws(() => Slide.validate({ u: 1.5 }), /"u" must be an integer/);
  assert.throws(() => Toeplitz.validate('n=6'), /"settings" must be an object/);
});

test('urlWith keeps other parameters and sets the hash', () => {
  const u = new URL(urlWith('http://x/a.html?w-2=%7B%7D#top', 'w-1', { n: 3 }, { hash: 'w-1' }));
  assert.equal(u.searchParams.get('w-2'), '{}');
  assert.deepEqual(JSON.parse(u.searchParams.get('w-1')), { n: 3 });
  assert.equal(u.hash, '#w-1');
});

test('parseAnswer reads decimals, exponents and fractions, never evaluates', () => {
  assert.equal(parseAnswer(' 4.375 '), 4.375);
  assert.equal(parseAnswer('35/8'), 4.375);
  assert.equal(parseAnswer('−2'), -2);
  assert.equal(parseAnswer('1e-3'), 0.001);
  assert.ok(Number.isNaN(parseAnswer('2+2')));
  assert.ok(Number.isNaN(parseAnswer('alert(1)')));
  assert.ok(Number.isNaN(parseAnswer('1/0')));
});

function get(url) {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

test('serve.mjs: MIME types, CSP header, index, 404, and no path traversal', async () => {
  const root = await mkdtemp(join(tmpdir(), 'convlab-serve-'));
  await mkdir(join(root, 'wasm'));
  await writeFile(join(root, 'index.html'), '<p>hi</p>');
  await writeFile(join(root, 'wasm', 'm.wasm'), Buffer.from([0, 97, 115, 109]));
  await writeFile(join(root, 'a.js'), 'export {}');
  const server = await startServer({ root, port: 0 });
  try {
    const index = await get(server.url);
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(index.headers['content-security-policy'], CSP_HEADER);
    assert.match(CSP_HEADER, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    assert.doesNotMatch(CSP_HEADER, /'unsafe-eval'|'unsafe-inline'[^;]*script/);
    assert.equal((await get(`${server.url}wasm/m.wasm`)).headers['content-type'], 'application/wasm');
    assert.equal((await get(`${server.url}a.js`)).headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await get(`${server.url}missing.html`)).status, 404);
    assert.equal((await get(`${server.url}..%2f..%2fetc%2fpasswd`)).status, 404);
    assert.equal((await get(`${server.url}%2e%2e/%2e%2e/etc/passwd`)).status, 404);
  } finally {
    await server.close();
  }
});

test('serve.mjs: symbolic links are followed inside the root only', async () => {
  const base = await mkdtemp(join(tmpdir(), 'convlab-serve-links-'));
  const root = join(base, 'dist');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(base, 'secret.txt'), 'outside');
  await mkdir(join(base, 'outdir'));
  await writeFile(join(base, 'outdir', 'index.html'), 'outside index');
  await writeFile(join(root, 'page.html'), 'inside');
  await symlink(join(base, 'secret.txt'), join(root, 'secret.txt'));
  await symlink('../secret.txt', join(root, 'relative.txt'));
  await symlink(join(base, 'outdir'), join(root, 'outdir'));
  await symlink(join(base, 'secret.txt'), join(root, 'sub', 'index.html'));
  await symlink(join(root, 'page.html'), join(root, 'alias.html'));
  const server = await startServer({ root, port: 0 });
  try {
    for (const path of ['secret.txt', 'relative.txt', 'outdir/', 'outdir/index.html', 'sub/']) {
      const res = await get(`${server.url}${path}`);
      assert.equal(res.status, 404, `${path} leads out of the root`);
    }
    const alias = await get(`${server.url}alias.html`);
    assert.equal(alias.status, 200, 'a link to a file inside the root is served');
  } finally {
    await server.close();
    await rm(base, { recursive: true, force: true });
  }
});

test('build: lesson assets that are symbolic links are copied as their content, or refused when they lead out', async () => {
  const repo = await mkdtemp(join(tmpdir(), 'convlab-assets-'));
  const assets = join(repo, 'lessons', 'assets');
  await mkdir(join(assets, 'img'), { recursive: true });
  await writeFile(join(repo, 'data.csv'), '1,2,3\n');
  await writeFile(join(assets, 'img', 'a.svg'), '<svg/>');
  await writeFile(join(assets, 'check.py'), 'print(1)');
  await symlink(join(repo, 'data.csv'), join(assets, 'data.csv'));
  const out = join(repo, 'dist');
  try {
    await copyAssets(assets, out, repo);
    assert.equal((await lstat(join(out, 'data.csv'))).isSymbolicLink(), false, 'a link inside the repository becomes a file');
    assert.equal(await readFile(join(out, 'data.csv'), 'utf8'), '1,2,3\n');
    assert.equal(await readFile(join(out, 'img', 'a.svg'), 'utf8'), '<svg/>');
    await assert.rejects(lstat(join(out, 'check.py')), 'scripts stay out');
    const outside = await mkdtemp(join(tmpdir(), 'convlab-outside-'));
    await writeFile(join(outside, 'secret.txt'), 'outside');
    await symlink(join(outside, 'secret.txt'), join(assets, 'secret.txt'));
    await assert.rejects(copyAssets(assets, join(repo, 'dist2'), repo), /lessons\/assets\/secret\.txt is a symbolic link out of the repository/);
    await rm(outside, { recursive: true, force: true });
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
});

test('serve.mjs: a busy port moves on to the next one', async () => {
  const first = await startServer({ port: 0 });
  const second = await startServer({ port: first.port });
  try {
    assert.equal(second.port, first.port + 1);
  } finally {
    await first.close();
    await second.close();
  }
});
