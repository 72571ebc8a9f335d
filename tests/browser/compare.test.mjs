// compare.test.mjs: the training page's compare panel in headless Chromium. Runs trained on
// the page are archived when they finish or are replaced (a reset), picked runs are overlaid
// on one chart (one series each, both named in the legend) and the ± column is the standard
// error sqrt(p(1-p)/n) computed here; shift robustness measured for an archived run starts
// at its held-out accuracy (shift 0); a ready comparison started from its URL queues its
// runs and, reloaded mid-queue, finishes without losing or repeating a finished run; drawings
// are stored, kept across a reload and tested on an archived run; an archived run is
// renamed, downloaded, deleted and uploaded again, and a bad file is refused by name.
//
// The ready comparison uses the panel's test-only query overrides (compare/queue.js):
// compareEpochs=1 (one epoch per run) and compareLimit=N (the first N training and held-out
// digits), so that it runs in seconds.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { openTrainPage, resetWith, trainData, waitFor, waitTrainState } from './helpers.mjs';

const runs = (page) => page.evaluate(() => window.convlabCompare.runs);
const se = (p, n) => Math.sqrt((p * (1 - p)) / n);

describe('compare panel', () => {
  let env;
  let page;
  let problems;

  before(async () => {
    ({ env, page, problems } = await openTrainPage());
    await page.evaluate(() => window.convlabCompare.ready);
  });

  after(async () => {
    await env?.close();
  });

  test('a finished and a replaced run are archived and overlaid on one chart, ± = sqrt(p(1-p)/n)', async () => {
    assert.deepEqual(await runs(page), [], 'a fresh browser has an empty archive');
    await resetWith(page, { arch: 'mlp', epochs: 1, seed: 3 });
    await page.click('#t-start');
    await waitTrainState(page, 'done', 240000);
    const finalAcc = Number((await trainData(page)).testAcc); // the page's last evaluation
    await waitFor(page, () => window.convlabCompare.runs.length === 1, null, 30000);
    // A second run, paused after its first evaluation, then replaced by a reset: archived as stopped.
    await resetWith(page, { arch: 'mlp', epochs: 20, seed: 4 }); // long enough to pause mid-run
    await page.click('#t-start');
    await waitFor(page, () => Number(document.getElementById('train').dataset.evals ?? 0) >= 1, null, 120000);
    await page.click('#t-pause');
    await waitTrainState(page, 'paused', 30000);
    // The pause's save stored the run (a run replaced before any save has nothing to archive).
    await waitFor(page, () => { const t = document.getElementById('train').dataset; return t.savedSteps === t.steps; }, null, 30000);
    await resetWith(page, { arch: 'mlp', epochs: 1, seed: 5 });
    await waitFor(page, () => window.convlabCompare.runs.length === 2, null, 30000);
    const list = await runs(page);
    assert.deepEqual(list.map((r) => r.status), ['finished', 'stopped']);
    assert.match(list[0].name, /MLP, mnist, batch 32, .*seed 3$/);
    assert.match(list[1].name, /seed 4 \(stopped\)$/);
    assert.equal(list[0].acc, finalAcc, 'the finished run is archived with its final evaluation');
    assert.equal(list[0].accEpoch, 1);
    for (const r of list) {
      assert.equal(r.n, 2000, 'the accuracy was measured on the 2,000 held-out digits');
      assert.ok(r.acc > 0.5 && r.acc <= 1, `held-out accuracy ${r.acc}`);
    }

    for (const r of list) {
      const box = page.locator(`#c-runs input[type=checkbox][data-id="${r.id}"]`);
      if (!(await box.isChecked())) await box.check();
    }
    const charts = await page.evaluate(() => window.convlabCompare.charts);
    for (const key of ['loss', 'acc']) {
      assert.deepEqual(charts[key].labels, list.map((r) => r.name), `${key}: one series per run`);
      assert.equal(charts[key].data.length, 3, `${key}: x and two series in the chart's data`);
      for (const s of charts[key].data.slice(1)) assert.ok(s.some((v) => v !== null), `${key}: every series has points`);
    }
    const accSeries = charts.acc.data[1].filter((v) => v !== null);
    assert.ok(Math.abs(accSeries.at(-1) - 100 * list[0].acc) < 1e-9, 'the accuracy curve ends at the archived accuracy');
    const legend = await page.locator('#c-charts figure').nth(1).locator('.u-legend').innerText();
    for (const r of list) assert.ok(legend.includes(r.name), `the legend names ${r.name}`);
    assert.match(await page.locator('#c-charts figure').nth(1).getAttribute('aria-label'), /Held-out accuracy: .*seed 3/);

    const rows = await page.locator('#c-compare-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({ acc: Number(tr.dataset.acc), n: Number(tr.dataset.n), text: tr.querySelector('.se').textContent })));
    assert.equal(rows.length, 2);
    rows.forEach((row, i) => {
      assert.equal(row.acc, list[i].acc);
      assert.equal(row.text, `± ${(100 * se(list[i].acc, 2000)).toFixed(2)}%`, 'the ± column is sqrt(p(1-p)/n)');
    });
  });

  test('shift robustness of an archived run: at shift 0 it equals the held-out accuracy', async () => {
    const [first] = await runs(page);
    await page.locator(`#c-runs tr[data-id="${first.id}"] button`, { hasText: 'Shift robustness' }).click();
    await waitFor(page, (id) => window.convlabCompare.runs.find((r) => r.id === id)?.robustness, first.id, 180000);
    const r = (await runs(page)).find((x) => x.id === first.id);
    assert.deepEqual(r.robustness.shifts, [0, 1, 2, 3, 4]);
    assert.equal(r.robustness.acc[0], r.acc, 'shift 0 is the run\'s own held-out accuracy');
    assert.equal(r.robustness.n, 2000);
    assert.ok(r.robustness.acc[4] < r.robustness.acc[0], `a 4-pixel shift costs the MLP accuracy (${r.robustness.acc})`);
    const shift = (await page.evaluate(() => window.convlabCompare.charts)).shift;
    assert.deepEqual(shift.labels, [r.name]);
    assert.deepEqual(shift.data[0], [0, 1, 2, 3, 4]);
  });

  test('a ready comparison from its URL queues its runs and survives a reload mid-queue', async () => {
    const url = `${env.url}train.html?compare=shifts&compareEpochs=1&compareLimit=1500`;
    await page.goto(url);
    await waitFor(page, () => window.convlabCompare?.queue?.name === 'shifts', null, 60000);
    const q0 = await page.evaluate(() => window.convlabCompare.queue);
    assert.deepEqual(q0.items.map((i) => i.label), ['no shifts', 'shifts up to 2 px']);
    assert.equal(q0.epochs, 1);
    assert.match(await page.locator('#c-queue').innerText(), /2 runs of 1 epoch each on the first 1500 training and 1500 held-out digits/);
    await waitFor(page, () => {
      const q = window.convlabCompare.queue;
      return q.items[0].status === 'done' && q.items[1].status === 'running';
    }, null, 240000);
    const firstId = await page.evaluate(() => window.convlabCompare.queue.items[0].id);
    await page.reload();
    await waitFor(page, () => window.convlabCompare?.queue?.state === 'done', null, 240000);
    const q = await page.evaluate(() => window.convlabCompare.queue);
    assert.deepEqual(q.items.map((i) => i.status), ['done', 'done']);
    assert.equal(q.items[0].id, firstId, 'the run finished before the reload was kept, not trained again');
    const list = await runs(page);
    for (const label of ['no shifts', 'shifts up to 2 px']) {
      const found = list.filter((r) => r.name === `Random shifts: without and with: ${label}`);
      assert.equal(found.length, 1, `one archived run for ${label}`);
      assert.equal(found[0].n, 1500);
      assert.equal(found[0].robustness.acc[0], found[0].acc, `${label}: the robustness curve at shift 0 is the held-out accuracy`);
    }
    const picked = await page.evaluate(() => window.convlabCompare.picked);
    assert.ok(q.items.every((i) => picked.includes(i.id)), 'the comparison shows its runs');
    assert.equal((await page.evaluate(() => window.convlabCompare.charts)).shift.labels.length, 2);
    await waitFor(page, () => window.convlabCompare.hasWorker === false, null, 10000); // an idle worker gives its memory back
  });

  test('a running comparison stops, keeps its finished runs, and resumes', async () => {
    await page.goto(`${env.url}train.html?compare=weight-sharing&compareEpochs=1&compareLimit=1500`);
    await waitFor(page, () => window.convlabCompare?.queue?.items[0].status === 'running', null, 60000);
    await waitFor(page, () => document.querySelector('#c-queue progress') !== null, null, 60000);
    await page.click('#c-stop');
    await waitFor(page, () => window.convlabCompare.queue.state === 'stopped', null, 30000);
    const before = (await runs(page)).length;
    assert.deepEqual((await page.evaluate(() => window.convlabCompare.queue)).items.map((i) => i.status), ['pending', 'pending'], 'the cut run waits to start again');
    await page.waitForTimeout(1000);
    assert.equal((await runs(page)).length, before, 'nothing trains or is archived while stopped');
    await page.reload();
    await waitFor(page, () => window.convlabCompare?.queue?.state === 'stopped' && document.getElementById('c-resume'), null, 60000);
    await page.click('#c-resume');
    await waitFor(page, () => window.convlabCompare.queue.state === 'done', null, 240000);
    assert.equal((await runs(page)).length, before + 2);
  });

  test('drawings are stored, survive a reload and are tested on an archived run', async () => {
    const pad = page.locator('#c-drawpad canvas');
    await pad.scrollIntoViewIfNeeded();
    const stroke = async (points) => {
      const b = await pad.boundingBox();
      const at = ([x, y]) => [b.x + x * b.width, b.y + y * b.height];
      await page.mouse.move(...at(points[0]));
      await page.mouse.down();
      for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 6 });
      await page.mouse.up();
    };
    await stroke([[0.5, 0.15], [0.5, 0.85]]);
    await page.selectOption('#c-draw-label', '1');
    await page.click('#c-draw-save');
    await waitFor(page, () => document.getElementById('c-draw-gallery').dataset.count === '1', null, 10000);
    await stroke([[0.5, 0.15], [0.75, 0.3], [0.75, 0.7], [0.5, 0.85], [0.25, 0.7], [0.25, 0.3], [0.5, 0.15]]);
    await page.selectOption('#c-draw-label', '0');
    await page.click('#c-draw-save');
    await waitFor(page, () => document.getElementById('c-draw-gallery').dataset.count === '2', null, 10000);
    await page.goto(`${env.url}train.html`);
    await waitFor(page, () => document.getElementById('c-draw-gallery')?.dataset.count === '2', null, 60000);
    const labels = await page.locator('#c-draw-gallery figure').evaluateAll((fs) => fs.map((f) => Number(f.dataset.label)));
    assert.deepEqual(labels, [1, 0]);
    // The page's current run was reset and not trained since: nothing saved to test, said so.
    await page.selectOption('#c-draw-source', 'current');
    await page.click('#c-draw-test');
    await waitFor(page, () => /no current run saved yet/.test(document.getElementById('c-message').textContent), null, 60000);
    const [first] = await runs(page);
    await page.selectOption('#c-draw-source', `archive:${first.id}`);
    await page.click('#c-draw-test');
    await waitFor(page, () => document.getElementById('c-draw-result').dataset.n === '2', null, 60000);
    const figs = await page.locator('#c-draw-gallery figure').evaluateAll((fs) => fs.map((f) => ({ label: Number(f.dataset.label), p: f.dataset.prediction })));
    for (const f of figs) assert.match(f.p, /^[0-9]$/, 'each drawing has an answer');
    const right = figs.filter((f) => Number(f.p) === f.label).length;
    assert.equal(Number(await page.locator('#c-draw-result').getAttribute('data-correct')), right, 'the count right matches the answers shown');
    assert.match(await page.locator('#c-draw-result').textContent(), new RegExp(`reads ${right} of your 2 drawings`));
  });

  test('an archived run is renamed, downloaded, deleted and uploaded again', async () => {
    const [first] = await runs(page);
    const name = page.locator(`#c-runs tr[data-id="${first.id}"] input.compare-name`);
    await name.fill('my first MLP');
    await name.dispatchEvent('change');
    await waitFor(page, (id) => window.convlabCompare.runs.find((r) => r.id === id)?.name === 'my first MLP', first.id, 10000);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator(`#c-runs tr[data-id="${first.id}"] button`, { hasText: 'Download' }).click(),
    ]);
    const path = await download.path();
    const file = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(file.format, 'convlab-train-run');
    assert.equal(file.heldOut, 2000);
    assert.equal(file.progress.done, true);
    assert.ok(file.parameters.length > 0 && file.parameters.every((p) => typeof p.base64 === 'string'), 'the tensors are in the file');
    await page.setInputFiles('#c-upload', path);
    await waitFor(page, () => /already in the archive/.test(document.getElementById('c-message').textContent), null, 10000);
    const count = (await runs(page)).length;
    await page.locator(`#c-runs tr[data-id="${first.id}"] button`, { hasText: 'Delete' }).click();
    await waitFor(page, (n) => window.convlabCompare.runs.length === n - 1, count, 10000);
    await page.setInputFiles('#c-upload', { name: 'mlp-again.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
    await waitFor(page, (n) => window.convlabCompare.runs.length === n, count, 10000);
    const back = (await runs(page)).at(-1);
    assert.equal(back.name, 'mlp-again');
    assert.equal(back.acc, first.acc, 'the uploaded run keeps its accuracy');
    assert.equal(back.n, 2000);
    await page.setInputFiles('#c-upload', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...file, version: 7 })) });
    await waitFor(page, () => /Could not add bad.json: version/.test(document.getElementById('c-message').textContent), null, 10000);
    assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
  });
});
