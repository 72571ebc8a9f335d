// The network designer in headless Chromium: on the training page a network is built by
// clicking (conv2d with its out and kernel edited, relu, pooling, flatten, dense) and the
// table shows the shapes, parameters and multiply-adds the formulas written out here give;
// a kernel larger than its input marks that layer with the core's message and disables
// Train with the reason; fixed, the design trains (one short epoch) to a held-out accuracy
// above chance; its link opens the same design in a fresh browser; no main-thread task
// passes 100 ms while designing or training. The designer widget renders in an embed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { SCREENSHOTS, openEmbed, openPage, results, setup, trainData, waitFor, waitTrainState } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

// Records every long task (Long Tasks API) into window.longTasks once armed.
const LONGTASKS = () => {
  window.longTasks = [];
  window.armLongTasks = () => { window.longTasks = []; window.longTasksArmed = true; };
  new PerformanceObserver((list) => {
    if (!window.longTasksArmed) return;
    for (const e of list.getEntries()) window.longTasks.push(`${Math.round(e.duration)} ms at ${Math.round(e.startTime)}`);
  }).observe({ type: 'longtask', buffered: false });
};

async function openTrain(context) {
  const page = await context.newPage();
  await page.addInitScript(LONGTASKS);
  page.on('console', (m) => { if (m.type() === 'log') console.log('PAGE', m.text()); });
  return page;
}

// The table's rows: { path, shape, params, macs } of the built layers.
const tableRows = (page, host = '#t-design') => page.locator(`${host} table.d-shapes tbody tr[data-shape]`).evaluateAll((trs) => trs.map((tr) => ({
  path: tr.dataset.path, shape: JSON.parse(tr.dataset.shape), params: Number(tr.dataset.params), macs: Number(tr.dataset.macs),
})));

const layer = (page, i) => page.locator(`#t-design li.d-layer[data-path="${i}"]`);

// The designer checks a design in the core asynchronously (in the training worker): wait
// for the answer to the last edit.
const settled = (page, host = '#t-design') => waitFor(page, (h) => document.querySelector(`${h} .designer`).dataset.checking === 'false', host, 10000);

async function setLayerField(page, i, name, value) {
  const input = layer(page, i).locator(`[name=${name}]`).first();
  await input.fill(String(value));
  await settled(page);
}

async function add(page, kind) {
  await page.getByRole('button', { name: `Add a ${kind} layer at the end` }).click();
  await settled(page);
}

test('designer: build by clicking, see the table, break and fix it, train it, reopen it from its link', async () => {
  const { page: first, context, problems } = await openPage(env, { width: 1200, height: 900 });
  await first.close();
  const page = await openTrain(context);
  await page.goto(`${env.url}train.html`);
  await waitTrainState(page, 'idle', 60000);
  await page.evaluate(() => window.armLongTasks());

  // Empty the list (LeNet-5 at first): the first layer's remove button, again and again.
  await page.evaluate(() => console.log('designing from', Math.round(performance.now())));
  const count = await page.locator('#t-design ol.d-layers > li.d-layer').count();
  for (let k = 0; k < count; k++) {
    await layer(page, 0).getByRole('button', { name: /^Remove/ }).click();
    await settled(page);
  }
  assert.equal(await page.locator('#t-design li.d-layer').count(), 0);
  assert.equal(await page.locator('#d-train').isDisabled(), true, 'nothing to train');

  await add(page, 'conv2d');
  await setLayerField(page, 0, 'out', 5);
  await setLayerField(page, 0, 'kernel', 3);
  await add(page, 'relu');
  await add(page, 'maxpool2d');
  await setLayerField(page, 2, 'kernel', 2);
  await add(page, 'flatten');
  await add(page, 'dense');
  await setLayerField(page, 4, 'out', 10);

  // PyTorch's sizes: conv 3x3 on 28 -> 26, pool 2 -> 13; parameters K C R S + K and
  // in x out + out; multiply-adds out elements x C x R x S and in x out.
  const flat = 5 * 13 * 13;
  const want = [
    { path: '0', shape: [5, 26, 26], params: 5 * 9 + 5, macs: 5 * 26 * 26 * 9 },
    { path: '1', shape: [5, 26, 26], params: 0, macs: 0 },
    { path: '2', shape: [5, 13, 13], params: 0, macs: 0 },
    { path: '3', shape: [flat], params: 0, macs: 0 },
    { path: '4', shape: [10], params: flat * 10 + 10, macs: flat * 10 },
  ];
  assert.deepEqual(await tableRows(page), want);
  const totals = await page.locator('#t-design table.d-shapes').evaluate((t) => ({ ...t.dataset }));
  assert.deepEqual(totals, { valid: 'true', params: String(50 + flat * 10 + 10), macs: String(5 * 26 * 26 * 9 + flat * 10) });
  assert.equal(await page.locator('#t-settings [name=arch]').inputValue(), 'custom');

  // Moving the relu up and back down with the keyboard keeps the table's answer.
  await layer(page, 1).getByRole('button', { name: /up$/ }).focus();
  await page.keyboard.press('Enter');
  await settled(page);
  assert.equal(await layer(page, 0).getAttribute('data-type'), 'relu');
  // The focus followed the layer; at the top its "up" is disabled, so it is on "down".
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Move layer 0 (relu) down');
  await page.keyboard.press('Enter');
  await settled(page);
  assert.equal(await layer(page, 1).getAttribute('data-type'), 'relu');
  assert.deepEqual(await tableRows(page), want);

  // A kernel larger than the input: that layer is marked with the core's message.
  await setLayerField(page, 0, 'kernel', 30);
  // The list is redrawn on every edit and marked when the core's answer arrives: wait for both.
  await waitFor(page, () => document.querySelector('#t-design .designer').dataset.valid === 'false' &&
    document.querySelector('#t-design li.d-layer[data-path="0"]')?.classList.contains('d-bad'), null, 5000);
  assert.match(await layer(page, 0).locator('.d-error').textContent(), /^layers\[0\]\.kernel: 30x30 is larger than/);
  assert.match(await page.locator('#t-design tr.d-bad').textContent(), /layers\[0\]\.kernel/);
  assert.equal(await page.locator('#d-train').isDisabled(), true);
  assert.match(await page.locator('#d-train-reason').textContent(), /Cannot train this design: layers\[0\]\.kernel/);
  assert.equal(await page.locator('#t-reset').isDisabled(), true);
  await setLayerField(page, 0, 'kernel', 3);
  assert.equal(await page.locator('#d-train').isDisabled(), false);
  assert.equal(await layer(page, 0).evaluate((li) => li.classList.contains('d-bad')), false);

  // One short epoch (1 of the page's usual 10) on the 8,000 training digits.
  // LeNet's learning rate 0.5 (squared loss) is too large for this one: 0.05.
  await page.locator('#t-settings [name=epochs]').fill('1');
  await page.locator('#t-settings [name=lr]').fill('0.05');
  await page.evaluate(() => console.log('train click at', Math.round(performance.now())));
  await page.click('#d-train');
  await waitTrainState(page, 'done', 240000)
    .catch(async (e) => { throw new Error(`${e.message}; page: ${JSON.stringify(await trainData(page))}, message: ${await page.locator('#t-message').textContent()}`); });
  const acc = Number((await trainData(page)).testAcc);
  assert.ok(acc > 0.5, `held-out accuracy ${acc} after one epoch is far above chance (0.1)`);
  assert.match(await page.locator('#t-epoch-text').textContent(), /held-out accuracy \d+\.\d\d%/);
  const longTasks = await page.evaluate(() => window.longTasks);
  const slowest = await page.evaluate(() => window.convlabTrain.slowest);
  assert.deepEqual(longTasks.filter((t) => parseInt(t, 10) > 100), [], `long tasks while designing and training: ${longTasks}; slowest message handlers: ${JSON.stringify(slowest)}`);
  await page.screenshot({ path: join(SCREENSHOTS, 'designer-train.png'), fullPage: true });

  // The link alone (a fresh browser, no saved run) opens the same design.
  const link = page.url();
  assert.match(link, /#design=[A-Za-z0-9_-]+$/);
  const other = await openPage(env, { width: 1200, height: 900 });
  await other.page.goto(link);
  await waitTrainState(other.page, 'idle', 60000);
  await settled(other.page);
  assert.deepEqual(await tableRows(other.page), want);
  assert.equal(await other.page.locator('#t-settings [name=arch]').inputValue(), 'custom');
  // And a reload of the page that trained it continues the same design.
  await page.reload();
  await waitTrainState(page, 'done', 60000);
  await settled(page);
  assert.deepEqual(await tableRows(page), want);
  assert.deepEqual([...problems, ...other.problems], []);
  await other.context.close();
  await context.close();
});

test('designer: the export buttons download an ONNX file and a PyTorch script that compute the same outputs', async () => {
  const { page, context, problems } = await openPage(env, { width: 1200, height: 900 });
  await page.goto(`${env.url}train.html`);
  await waitTrainState(page, 'idle', 60000);
  const dir = mkdtempSync(join(tmpdir(), 'convlab-page-export-'));
  try {
    for (const [button, file] of [['#d-export-onnx', 'page.onnx'], ['#d-export-pytorch', 'page.py']]) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
      assert.match(download.suggestedFilename(), file.endsWith('.onnx') ? /\.onnx$/ : /\.py$/);
      await download.saveAs(join(dir, file));
    }
    // The default run's LeNet-5 on three inputs: ONNX Runtime on the ONNX file against torch
    // running the script (two implementations that share nothing but the files).
    const x = Float32Array.from({ length: 3 * 28 * 28 }, (_, i) => Math.sin(i * 0.37));
    writeFileSync(join(dir, 'page.x.f32'), Buffer.from(x.buffer));
    const checks = JSON.parse(execFileSync('/usr/bin/python3', [fileURLToPath(new URL('../node/export_check.py', import.meta.url)), dir], { encoding: 'utf8', timeout: 300_000 }));
    assert.equal(checks.onnx.page, 'ok');
    assert.equal(checks.torch.page, 'ok');
    const torchOut = new Float32Array(new Uint8Array(readFileSync(join(dir, 'page.torch.f32'))).buffer);
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(join(dir, 'page.onnx'))));
    const out = await session.run({ input: new ort.Tensor('float32', x, [3, 1, 28, 28]) });
    const onnxOut = out.output.data;
    assert.equal(onnxOut.length, 30);
    assert.equal(torchOut.length, 30);
    for (let i = 0; i < 30; i++) assert.ok(Math.abs(onnxOut[i] - torchOut[i]) <= 1e-4 * (1 + Math.abs(torchOut[i])), `output ${i}: ONNX ${onnxOut[i]}, torch ${torchOut[i]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('designer: a link that does not decode, or whose design the core refuses, is explained and the page still starts', async () => {
  const { page, context, problems } = await openPage(env, { width: 1200, height: 900 });
  await page.goto(`${env.url}train.html#design=not*base64`);
  await waitTrainState(page, 'idle', 60000);
  assert.match(await page.locator('#t-message').textContent(), /could not be read \(design link: not base64url text\)/);
  const refused = Buffer.from(JSON.stringify([{ type: 'conv2d', out: 2, kernel: 40 }, { type: 'flatten' }, { type: 'dense', out: 10 }])).toString('base64url');
  await page.goto(`${env.url}train.html?fresh#design=${refused}`);
  await waitTrainState(page, 'idle', 60000);
  await settled(page);
  assert.match(await page.locator('#t-message').textContent(), /does not build/);
  assert.match(await layer(page, 0).locator('.d-error').textContent(), /^layers\[0\]\.kernel: 40x40 is larger/);
  assert.equal(await page.locator('#d-train').isDisabled(), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('optimiser options reach trainStep: a run with weight decay trains', async () => {
  const { page, context, problems } = await openPage(env, { width: 1200, height: 900 });
  await page.goto(`${env.url}train.html`);
  await waitTrainState(page, 'idle', 60000);
  await page.locator('#t-settings [name=weightDecay]').fill('0.0005');
  await page.click('#t-reset');
  await waitTrainState(page, 'idle', 30000);
  await page.click('#t-start');
  await waitFor(page, () => Number(document.getElementById('train').dataset.steps ?? 0) > 5, null, 60000);
  assert.deepEqual(problems, []);
  await context.close();
});

test('designer widget: renders alone in an embed, edits update the table, the link opens the training page', async () => {
  const layers = [{ type: 'conv2d', out: 2, kernel: 5 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', out: 10 }];
  const { page, context, problems } = await openEmbed(env, 'designer', { layers });
  const rows = () => tableRows(page, '#embed');
  assert.deepEqual((await rows()).map((r) => r.shape), [[2, 24, 24], [2, 24, 24], [2 * 24 * 24], [10]]);
  assert.deepEqual(await results(page.locator('#embed')), [2 * 25 + 2 + 1152 * 10 + 10, 2 * 24 * 24 * 25 + 1152 * 10]);
  const href = await page.locator('#embed a.d-train-link').getAttribute('href');
  assert.match(href, /train\.html#design=/);
  const start = page.url();
  await page.locator('#embed li.d-layer[data-path="0"] [name=out]').fill('3');
  await settled(page, '#embed');
  assert.deepEqual((await rows())[0], { path: '0', shape: [3, 24, 24], params: 3 * 25 + 3, macs: 3 * 24 * 24 * 25 });
  await page.waitForFunction((old) => location.href !== old, start, { timeout: 3000 });
  const reopened = await openPage(env);
  await reopened.page.goto(page.url());
  await reopened.page.waitForSelector('html[data-ready="true"]');
  assert.deepEqual((await tableRows(reopened.page, '#embed'))[0].shape, [3, 24, 24], 'the state in the URL reopens the edit');
  await reopened.context.close();
  await page.screenshot({ path: join(SCREENSHOTS, 'embed-designer.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
