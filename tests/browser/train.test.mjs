// train.test.mjs: the training page (dist/train.html) in headless Chromium: the digits load,
// training starts in the worker, the training loss falls and the held-out accuracy rises
// above chance, pause really stops and resume continues, and no main-thread task longer
// than 100 ms happens while training (Long Tasks API). Then the drawing pad answers, a
// crashed worker is restarted without losing the page, a reload continues the saved run, a
// downloaded run loads again, a blown-up loss stops training with an offer to reset, and a
// run started again with the same seed draws the same curve, Node's for the same settings.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { load } from '../../web/bindings/convlab.js';
import { HEADER_BYTES, decodeDataset, decodeHeader } from '../../web/src/train/data.js';
import { Run } from '../../web/src/train/run.js';
import { SCREENSHOTS, openTrainPage, trainData as dataset, waitFor, waitTrainState as waitState } from './helpers.mjs';

// Records every long task (> 50 ms by the API's definition) with its start and duration.
const LONG_TASKS = `
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { window.__longTasks = null; }
`;

describe('training page', () => {
  let env;
  let page;
  let context;
  let problems;

  before(async () => {
    ({ env, page, context, problems } = await openTrainPage({ initScript: LONG_TASKS }));
  });

  after(async () => {
    await env?.close();
  });

  test("the form offers the core's losses and activations (cl.registry), nothing written in the page", async () => {
    const { registry } = await load();
    const values = (name) => page.$$eval(`#t-settings [name=${name}] option`, (os) => os.map((o) => o.value));
    assert.deepEqual(await values('loss'), [...registry.losses]);
    assert.deepEqual(await values('activation'), [...registry.activations]);
  });

  test('trains LeNet-5: loss falls, accuracy above chance, pause and resume, no long task', async () => {
    assert.equal(await page.locator('#t-data-progress').evaluate((e) => e.value), 1, 'the data progress bar is full');
    assert.match(await page.locator('#t-data-text').textContent(), /8000 training and 2000 held-out/);
    const t0 = await page.evaluate(() => performance.now());
    await page.click('#t-start');
    await waitState(page, 'running', 10000);
    // Two held-out evaluations (at 2,000 and 4,000 examples) and several training points.
    await waitFor(page, () => Number(document.getElementById('train').dataset.evals ?? 0) >= 2 && window.convlabTrain.curves?.train.loss.length >= 6);
    const curves = await page.evaluate(() => window.convlabTrain.curves);
    const train = curves.train.loss;
    assert.ok(train.at(-1) < 0.6 * train[0], `training loss falls: first ${train[0]}, last ${train.at(-1)}`);
    assert.ok(curves.test.acc.at(-1) > 0.5, `held-out accuracy ${curves.test.acc.at(-1)} is far above chance (0.1)`);
    assert.ok(curves.test.loss.at(-1) < 0.6 * train[0], `held-out loss ${curves.test.loss.at(-1)} well below the first training loss ${train[0]}`);

    await page.click('#t-pause');
    await waitState(page, 'paused', 10000);
    const t1 = await page.evaluate(() => performance.now());
    const paused = (await dataset(page)).epochs;
    await page.waitForTimeout(1500);
    assert.equal((await dataset(page)).epochs, paused, 'no progress while paused');
    assert.equal(await page.locator('#t-start').textContent(), 'Resume');

    await page.click('#t-start');
    await waitState(page, 'running', 10000);
    await waitFor(page, (e) => Number(document.getElementById('train').dataset.epochs) > Number(e) + 0.05, paused, 60000);
    const t2 = await page.evaluate(() => performance.now());
    await page.click('#t-pause');
    await waitState(page, 'paused', 10000);

    const tasks = await page.evaluate(() => window.__longTasks);
    assert.ok(Array.isArray(tasks), 'the Long Tasks API is available');
    const during = tasks.filter((t) => (t.start >= t0 && t.start <= t1) || (t.start >= t1 && t.start <= t2));
    const worst = Math.max(0, ...during.map((t) => t.duration));
    const slowest = await page.evaluate(() => window.convlabTrain.slowest);
    assert.ok(worst <= 100, `a main-thread task took ${worst} ms while training (${JSON.stringify(during)}; slowest handlers ${JSON.stringify(slowest)})`);
    console.log(`# browser: ${(await dataset(page)).examplesPerSecond} examples/s; longest main-thread task while training ${worst} ms (${during.length} over 50 ms); slowest handlers (ms) ${JSON.stringify(slowest)}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'train-running.png'), fullPage: true });
  });

  test('views out of sight wait: drawn once scrolled into view, with the newest state', async () => {
    // The views draw only while on screen (lib/throttle.js whenOnScreen): with the page at its
    // top, the confusion matrix and the filters (far below) are not redrawn while training
    // runs and evaluates, and are drawn as soon as they come into view.
    await page.evaluate(() => window.scrollTo(0, 0));
    const draws = () => page.evaluate(() => ['t-confusion', 't-filters'].map((id) => Number(document.getElementById(id).dataset.draws ?? 0)));
    await page.waitForTimeout(500); // the observers report the scroll
    const hidden = await draws();
    const evals = Number((await dataset(page)).evals);
    await page.click('#t-start');
    await waitState(page, 'running', 10000);
    await waitFor(page, (n) => Number(document.getElementById('train').dataset.evals) >= n + 2, evals, 60000);
    await page.click('#t-pause');
    await waitState(page, 'paused', 10000);
    assert.deepEqual(await draws(), hidden, 'no redraw of views out of sight while training');
    for (const [i, id] of ['t-confusion', 't-filters'].entries()) {
      await page.locator(`#${id}`).scrollIntoViewIfNeeded();
      await waitFor(page, ([sel, n]) => Number(document.getElementById(sel).dataset.draws ?? 0) > n, [id, hidden[i]], 10000);
    }
  });

  test('the views fill in: filters, feature maps, confusion matrix, misclassified digits, drawing pad', async () => {
    // Each view is brought into view first: views out of sight wait (the test above).
    for (const id of ['t-filters', 't-featuremaps', 't-confusion', 't-misclassified']) {
      await page.locator(`#${id}`).scrollIntoViewIfNeeded();
      await waitFor(page, (sel) => document.querySelector(`#${sel} canvas, #${sel} table`) !== null, id, 10000);
    }
    await page.waitForTimeout(300); // the newest evaluation's draw, if it was waiting
    const tiles = await page.locator('#t-filters canvas').evaluateAll((cs) => cs.map((c) => Number(c.dataset.tiles)));
    assert.deepEqual(tiles, [6, 16 * 6], 'the kernels of C1 and C3');
    const maps = await page.locator('#t-featuremaps canvas').evaluateAll((cs) => cs.map((c) => Number(c.dataset.tiles)));
    // input, C1, relu, S2, C3, relu, S4 (maps), C5, relu, F6, relu, output (strips); flatten is skipped
    assert.deepEqual(maps, [1, 6, 6, 6, 16, 16, 16, 1, 1, 1, 1, 1], 'every layer of one digit');
    const cells = await page.locator('#t-confusion tbody td').allTextContents();
    assert.equal(cells.length, 100);
    assert.equal(cells.reduce((a, c) => a + Number(c), 0), 2000, 'the confusion matrix counts the 2,000 held-out digits');
    const diag = cells.filter((_, i) => i % 11 === 0).reduce((a, c) => a + Number(c), 0);
    const acc = Number((await dataset(page)).testAcc);
    assert.equal(diag, Math.round(acc * 2000), 'its diagonal matches the reported accuracy');
    assert.equal(await page.locator('#t-misclassified [data-count]').getAttribute('data-count'), String(2000 - diag), 'misclassified digits');
    assert.equal(await page.locator('#t-misclassified canvas').getAttribute('data-tiles'), String(Math.min(100, 2000 - diag)));

    const before = Number((await dataset(page)).inspections);
    // A "1" drawn with the mouse: one vertical stroke through pointer events.
    const pad = page.locator('canvas.drawpad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    await page.mouse.move(box.x + 0.5 * box.width, box.y + 0.15 * box.height);
    await page.mouse.down();
    await page.mouse.move(box.x + 0.5 * box.width, box.y + 0.85 * box.height, { steps: 12 });
    await page.mouse.up();
    await waitFor(page, (n) => Number(document.getElementById('train').dataset.inspections) > n, before, 10000);
    assert.equal((await dataset(page)).drawPrediction, '1', 'a vertical stroke is read as a 1');
    assert.equal(await page.locator('#t-draw-probs .prob-row').count(), 10);
  });

  test('a crashed worker is restarted from the last saved state', async () => {
    const epochs = Number((await dataset(page)).epochs);
    await page.evaluate(() => window.convlabTrain.crashWorker());
    await waitFor(page, () => document.getElementById('train').dataset.restarts === '1', null, 20000);
    await waitState(page, 'paused', 30000);
    assert.match(await page.locator('#t-message').textContent(), /crashed.*restarted/);
    assert.ok(Number((await dataset(page)).epochs) > 0 && Number((await dataset(page)).epochs) <= epochs, 'continues from a saved point');
    await page.click('#t-start');
    await waitState(page, 'running', 10000);
    const now = Number((await dataset(page)).epochs);
    await waitFor(page, (e) => Number(document.getElementById('train').dataset.epochs) > e + 0.02, now, 60000);
    await page.click('#t-pause');
    await waitState(page, 'paused', 10000);
  });

  test('a run survives a reload, and a downloaded run loads again', async () => {
    await waitFor(page, () => { const d = document.getElementById('train').dataset; return d.savedSteps === d.steps; }, null, 10000);
    const epochs = Number((await dataset(page)).epochs);
    await page.reload();
    await waitState(page, 'paused', 60000);
    assert.equal(Number((await dataset(page)).epochs), epochs, 'the reloaded page continues at the saved position');
    assert.match(await page.locator('#t-message').textContent(), /Continuing your saved run/);
    const curves = await page.evaluate(() => window.convlabTrain.curves);
    assert.ok(curves.test.acc.length >= 2, 'with its curves');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download run')]);
    const file = await download.path();
    const run = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(run.format, 'convlab-train-run');
    assert.deepEqual(run.parameters.map((p) => p.name), ['0.weight', '0.bias', '3.weight', '3.bias', '6.weight', '6.bias', '9.weight', '9.bias', '11.weight', '11.bias']);
    // With the momentum buffers (version 2), so the loaded run continues exactly.
    assert.equal(run.version, 2);
    assert.deepEqual(run.optimizer.map((p) => [p.name, p.shape]), run.parameters.map((p) => [p.name, p.shape]));

    await page.click('#t-reset');
    await waitState(page, 'idle', 30000);
    assert.equal(Number((await dataset(page)).epochs), 0);
    await page.setInputFiles('#t-upload', file);
    await waitState(page, 'paused', 30000);
    assert.equal(Number((await dataset(page)).epochs), epochs, 'the loaded run is back at its epoch');
    assert.match(await page.locator('#t-message').textContent(), /Loaded/);

    // A file whose parameters do not fit the network is refused, naming the field, and the
    // run in the page (and in storage) stays as it was.
    const bad = { ...run, parameters: run.parameters.slice(0, -1) };
    await page.setInputFiles('#t-upload', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await waitFor(page, () => /Could not load bad\.json: parameters: 9 tensors/.test(document.getElementById('t-message').textContent), null, 30000);
    assert.equal(await page.evaluate(() => window.convlabTrain.state), 'paused');
    assert.equal(Number((await dataset(page)).epochs), epochs);
  });

  test('a loss that becomes NaN or infinite stops training and offers a smaller learning rate', async () => {
    // LeNet's squared loss with a learning rate of 10 overflows within ten steps.
    await page.selectOption('#t-settings select[name=loss]', 'mse');
    await page.fill('#t-settings input[name=lr]', '10');
    await page.click('#t-reset');
    await waitState(page, 'idle', 30000);
    await page.click('#t-start');
    await waitState(page, 'diverged', 60000);
    const text = await page.locator('#t-message').textContent();
    assert.match(text, /loss became (NaN|Infinity|-Infinity)/);
    await page.screenshot({ path: join(SCREENSHOTS, 'train-diverged.png') });
    await page.click('#t-message button');
    await waitState(page, 'idle', 30000);
    assert.equal(await page.locator('#t-settings input[name=lr]').inputValue(), '1');
  });

  test('the same seed and settings give the same loss curve in the worker', async () => {
    const firstPoints = async () => {
      await page.click('#t-start');
      await waitFor(page, () => window.convlabTrain.curves?.train.loss.length >= 3, null, 60000);
      await page.click('#t-pause');
      await waitState(page, 'paused', 10000);
      return page.evaluate(() => window.convlabTrain.curves.train.loss.slice(0, 3));
    };
    const a = await firstPoints();
    await page.click('#t-reset');
    await waitState(page, 'idle', 30000);
    const b = await firstPoints();
    assert.deepEqual(b, a);
    // and they are Node's: the same settings and digits through run.js, on one thread of the
    // single-threaded module, give the same bits (so the worker's warm-up run, built from the
    // same settings before it reports ready, leaves the real run untouched)
    const settings = await page.evaluate(() => window.convlabTrain.settings);
    const bytes = new Uint8Array(await readFile(join(import.meta.dirname, '../../dist/data/mnist.bin')));
    const header = decodeHeader(bytes);
    const stored = bytes.subarray(HEADER_BYTES, HEADER_BYTES + header.payloadBytes);
    const data = decodeDataset(header, header.encoding === 1 ? new Uint8Array(gunzipSync(stored)) : stored);
    const run = new Run(await load(), data, settings);
    while (run.curves.train.loss.length < 3) run.work();
    assert.deepEqual(run.curves.train.loss.slice(0, 3), a);
    run.dispose();
    assert.deepEqual(problems, []);
  });
});
