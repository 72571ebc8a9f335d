// train-robust.test.mjs: the training page against what could brick it or lose a run, in
// headless Chromium: the worker's traffic does not grow with the run's length and its steps
// allocate no WebAssembly memory from JavaScript; hostile run
// files (missing or hostile progress, settings without epochs, swapped parameter shapes,
// very long curves, a string version) are refused naming the field, the saved run stays, and
// the page trains after a reload; a stored run that fails its check is kept aside and the
// page starts fresh; a worker that closes itself mid-run is noticed and restarted; a reload
// mid-run loses at most about two seconds of training (measured and printed).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { openTrainPage, resetWith, trainData, trainFor, trainSteps, waitFor, waitTrainState, waitTrainStates } from './helpers.mjs';

// Messages and bytes per type between two traffic samples, over `seconds`.
function rates(a, b, seconds) {
  const out = { perSecond: (b.messages - a.messages) / seconds, types: {} };
  for (const [type, t] of Object.entries(b.byType)) {
    const m = t.messages - (a.byType[type]?.messages ?? 0);
    const bytes = t.bytes - (a.byType[type]?.bytes ?? 0);
    out.types[type] = { perSecond: m / seconds, bytesPerMessage: m ? bytes / m : 0 };
  }
  return out;
}

async function trafficWindow(page, seconds) {
  const a = await page.evaluate(() => structuredClone(window.convlabTrain.traffic));
  await page.waitForTimeout(seconds * 1000);
  const b = await page.evaluate(() => structuredClone(window.convlabTrain.traffic));
  return rates(a, b, seconds);
}

async function pause(page) {
  await page.click('#t-pause');
  await waitTrainState(page, 'paused', 10000);
  // The worker saves on pause; wait until the stored run is the paused one.
  await waitFor(page, () => { const d = document.getElementById('train').dataset; return d.savedSteps === d.steps; }, null, 10000);
}

// Replaces the stored run with what `mutate` (a function body over `record`) makes of it.
async function corruptStored(page, mutate) {
  await page.evaluate(async (body) => {
    const change = new Function('record', body);
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open('convlab-train', 1);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction('runs', 'readwrite');
    const store = tx.objectStore('runs');
    const record = await new Promise((resolve) => { const r = store.get('current'); r.onsuccess = () => resolve(r.result); });
    change(record);
    store.put(record, 'current');
    await new Promise((resolve) => { tx.oncomplete = resolve; });
    db.close();
  }, mutate);
}

describe('training page: robustness', () => {
  let env;
  let page;
  let problems;

  before(async () => {
    ({ env, page, problems } = await openTrainPage());
  });

  after(async () => {
    await env?.close();
  });

  test("the worker's messages per second and bytes per message do not grow with the run, and its steps allocate nothing from JavaScript", async () => {
    // a schedule long enough to be paused mid-run however fast the machine trains
    await resetWith(page, { epochs: 60 });
    await page.click('#t-start');
    await waitTrainState(page, 'running', 10000);
    await page.waitForTimeout(500); // past the first staging of a batch and of an evaluation chunk
    const memory = () => page.evaluate(() => window.convlabTrain.memory());
    const before = await memory();
    const early = await trafficWindow(page, 2);
    // Late: once the curves hold several times the points they had early on.
    const points = Number((await trainData(page)).trainPoints ?? 0);
    await waitFor(page, (n) => Number(document.getElementById('train').dataset.trainPoints) >= 3 * n + 6, points, 180000);
    const late = await trafficWindow(page, 2);
    const afterwards = await memory();
    await pause(page);
    // Batches, held-out evaluations and inspections are staged in the network's own
    // WebAssembly buffers (web/src/train/run.js): the wrapper's allocation count stays put.
    assert.equal(typeof before.jsAllocations, 'number', 'the worker reports its allocation count');
    assert.ok(afterwards.steps - before.steps >= 20, `steps ${before.steps} -> ${afterwards.steps}`);
    assert.equal(afterwards.jsAllocations, before.jsAllocations,
      `${afterwards.jsAllocations - before.jsAllocations} JS-side allocations over ${afterwards.steps - before.steps} steps`);
    console.log(`# worker traffic early ${JSON.stringify(early)}; late ${JSON.stringify(late)}`);
    const { progress: p0, filters: f0 } = early.types;
    const { progress: p1, filters: f1 } = late.types;
    assert.ok(late.perSecond <= 1.5 * early.perSecond + 2, `messages per second grew: ${early.perSecond} -> ${late.perSecond}`);
    assert.ok(p1.bytesPerMessage <= 1.25 * p0.bytesPerMessage + 64, `progress bytes per message grew: ${p0.bytesPerMessage} -> ${p1.bytesPerMessage}`);
    assert.ok(p1.bytesPerMessage < 2000, `progress carries only new points (${p1.bytesPerMessage} bytes)`);
    // The filter view draws C1's and C3's kernels: 6*25 + 16*6*25 floats, not all ~62k.
    const kernels = 4 * (6 * 25 + 16 * 6 * 25);
    assert.ok(f0.bytesPerMessage < kernels + 1024 && f1.bytesPerMessage < kernels + 1024, `filters: ${f0.bytesPerMessage}, ${f1.bytesPerMessage} bytes`);
  });

  test('hostile run files are refused naming the field; the saved run stays and the page trains after a reload', async () => {
    const saved = await trainData(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download run')]);
    const run = JSON.parse(await readFile(await download.path(), 'utf8'));
    const swap = (list, i, j) => { const l = list.map((p) => ({ ...p })); [l[i].shape, l[j].shape] = [l[j].shape, l[i].shape]; return l; };
    const long = (n) => ({ x: Array.from({ length: n }, (_, i) => i / n), loss: new Array(n).fill(0.5), acc: new Array(n).fill(0.5) });
    const { progress, ...noProgress } = run;
    const { epochs, ...noEpochs } = run.settings;
    const hostile = [
      ['missing-progress', noProgress, /progress: missing/],
      ['negative-steps', { ...run, progress: { ...progress, steps: -5 } }, /progress\.steps: expected an integer/],
      ['huge-position', { ...run, progress: { ...progress, position: 2 ** 31 - 1 } }, /progress\.position: expected an integer in \[0, 7999\]/],
      ['nan-epoch', { ...run, progress: { ...progress, epoch: 'NaN' } }, /progress\.epoch: expected an integer.*the string "NaN"/],
      ['no-epochs', { ...run, settings: noEpochs }, /settings\.epochs: missing/],
      ['swapped-shapes', { ...run, parameters: swap(run.parameters, 6, 8) }, /parameters\[6\] \(9\.weight\): 10080 values for shape \[10,84\]/],
      ['transposed-shape', { ...run, parameters: run.parameters.map((p, i) => (i === 6 ? { ...p, shape: [120, 84] } : p)) }, /parameters\[6\] \(9\.weight\)\.shape: expected \[84,120\], got \[120,84\]/],
      ['swapped-order', { ...run, parameters: [run.parameters[2], run.parameters[1], run.parameters[0], ...run.parameters.slice(3)] }, /parameters\[0\]\.name: expected 0\.weight, got the string "3\.weight"/],
      ['long-curves', { ...run, curves: { ...run.curves, train: long(70000) } }, /curves\.train\.x: 70000 points/],
      ['string-version', { ...run, version: '2' }, /version: expected the number 1 or 2, got the string "2"/],
    ];
    for (const [name, file, why] of hostile) {
      await page.setInputFiles('#t-upload', { name: `${name}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
      await waitFor(page, (n) => document.getElementById('t-message').textContent.startsWith(`Could not load ${n}.json`), name, 10000);
      const text = await page.locator('#t-message').textContent();
      assert.match(text, why, name);
      assert.equal((await trainData(page)).state, 'paused', `${name}: the run in the page stays`);
      assert.equal((await trainData(page)).epochs, saved.epochs, `${name}: at its epoch`);
    }
    // Curves longer than a page draws but within reason are thinned on load, not refused.
    await page.setInputFiles('#t-upload', { name: 'long.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...run, curves: { ...run.curves, train: long(10000) } })) });
    await waitFor(page, () => /^Loaded long\.json/.test(document.getElementById('t-message').textContent), null, 30000);
    const points = await page.evaluate(() => window.convlabTrain.curves.train.x.length);
    assert.ok(points <= 3000 && points >= 1500, `${points} points kept of 10000`);

    await page.reload();
    assert.equal(await waitTrainStates(page, ['paused', 'idle']), 'paused');
    assert.equal((await trainData(page)).epochs, saved.epochs, 'the stored run is the loaded one, at its epoch');
    await trainSteps(page, 5);
    await pause(page);
  });

  test('a stored run that fails its check is kept aside and the page starts fresh', async () => {
    const variants = [
      ['delete record.progress;', /progress: missing/],
      ["record.version = '2';", /version: expected the number/],
      ['delete record.settings.epochs;', /settings\.epochs: missing/],
    ];
    for (const [mutate, why] of variants) {
      await corruptStored(page, mutate);
      await page.reload();
      assert.equal(await waitTrainStates(page, ['idle', 'paused']), 'idle', mutate);
      const text = await page.locator('#t-message').textContent();
      assert.match(text, /could not be loaded.*kept aside/, mutate);
      assert.match(text, why, mutate);
      assert.equal(await page.locator('#t-message button').textContent(), 'Download the set-aside run');
      if (mutate.includes('progress')) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#t-message button')]);
        const aside = JSON.parse(await readFile(await download.path(), 'utf8'));
        assert.equal(aside.format, 'convlab-train-run');
        assert.equal(aside.progress, undefined, 'the set-aside run is offered as it was');
      }
      assert.equal(await page.locator('#t-reset').isDisabled(), false, 'Reset is usable');
      await trainSteps(page, 5);
      await pause(page);
    }
  });

  test('a worker that closes itself mid-run is noticed and restarted from the saved state', async () => {
    const restarts = Number((await trainData(page)).restarts ?? 0);
    await trainSteps(page, 20);
    await page.waitForTimeout(1500); // past a save
    const before = await trainData(page);
    await page.evaluate(() => window.convlabTrain.closeWorker());
    await waitFor(page, (n) => Number(document.getElementById('train').dataset.restarts) === n + 1, restarts, 20000);
    await waitTrainState(page, 'paused', 30000);
    assert.match(await page.locator('#t-message').textContent(), /stopped answering.*restarted from the last saved state/);
    const after = await trainData(page);
    assert.ok(Number(after.steps) > 0 && Number(after.steps) <= Number(before.steps) + 20, `continues from a saved point: ${after.steps} of ${before.steps}`);
    await trainSteps(page, 10);
    await pause(page);
  });

  test('a reload mid-run loses at most about two seconds of training (measured)', async () => {
    await resetWith(page, { arch: 'lenet5', batch: 32, epochs: 10 });
    const lost = [];
    for (let k = 0; k < 2; k++) {
      await page.click('#t-start');
      await waitTrainState(page, 'running', 10000);
      const { rate, atStop } = await trainFor(page, 2500 + 400 * k);
      await page.reload();
      assert.equal(await waitTrainStates(page, ['paused', 'idle']), 'paused');
      const after = await trainData(page);
      const steps = Math.max(0, atStop - Number(after.steps));
      lost.push({ steps: Math.round(steps), seconds: steps === 0 ? 0 : steps / rate });
      assert.ok(Number(after.steps) > 0, `reload ${k}: ${after.steps} steps kept of about ${Math.round(atStop)}`);
    }
    console.log(`# reload mid-run: lost ${lost.map((l) => `${l.steps} steps (${l.seconds.toFixed(2)} s of training)`).join(', ')}`);
    for (const l of lost) assert.ok(l.seconds <= 2.5, `a reload lost ${l.seconds.toFixed(2)} s of training`);
    assert.deepEqual(problems, []);
  });
});
