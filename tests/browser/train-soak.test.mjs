// train-soak.test.mjs: a bounded soak of the training page in headless Chromium: a small
// network trained for many epochs through several reloads and a killed worker, with the
// page's JS heap (after a forced collection) and the worker's WebAssembly memory measured at
// every interruption. Passes when no interruption loses more than about two seconds of
// training and no memory figure keeps growing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { openTrainPage, resetWith, trainData, trainFor, waitFor, waitTrainState, waitTrainStates } from './helpers.mjs';

const BATCH = 64;

describe('training page: soak', () => {
  let env;
  let page;
  let context;
  let problems;

  before(async () => {
    ({ env, page, context, problems } = await openTrainPage());
  });

  after(async () => {
    await env?.close();
  });

  test('many epochs, reloads and a killed worker: nothing lost, no memory growth', async () => {
    await resetWith(page, { arch: 'mlp', batch: BATCH, epochs: 200, shift: 0 });
    const samples = [];
    const measure = async (label) => {
      const cdp = await context.newCDPSession(page);
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      await cdp.detach();
      const worker = await page.evaluate(() => window.convlabTrain.memory());
      const d = await trainData(page);
      samples.push({ label, epochs: Number(d.epochs), pageHeap: usedSize, wasmHeap: worker.heapBytes, malloc: worker.mallocBytes });
    };
    const interruptions = ['reload', 'kill', 'reload', 'reload'];
    const lost = [];
    const counts = []; // steps before -> steps after each interruption
    await page.click('#t-start');
    await waitTrainState(page, 'running', 10000);
    await page.waitForTimeout(1500);
    for (const [i, how] of interruptions.entries()) {
      await measure(`before ${how} ${i}`);
      const { data: d, rate } = await trainFor(page, 2000);
      let atStop;
      if (how === 'reload') {
        atStop = (await page.evaluate(() => window.convlabTrain.memory())).steps;
        await page.reload();
      } else {
        const restarts = Number(d.restarts ?? 0);
        // The worker's count and the kill in one task of the page: nothing trains between.
        atStop = await page.evaluate(async () => {
          const { steps } = await window.convlabTrain.memory();
          window.convlabTrain.terminateWorker();
          return steps;
        });
        await waitFor(page, (n) => Number(document.getElementById('train').dataset.restarts) === n + 1, restarts, 20000);
      }
      assert.equal(await waitTrainStates(page, ['paused', 'done']), 'paused', `after ${how} ${i}`);
      const back = Number((await trainData(page)).steps);
      const steps = Math.max(0, atStop - back);
      lost.push(steps === 0 ? 0 : steps / rate);
      counts.push(`${how} ${atStop}->${back}`);
      await page.click('#t-start');
      await waitTrainState(page, 'running', 10000);
    }
    await page.waitForTimeout(2000);
    await measure('end');
    await page.click('#t-pause');
    await waitTrainState(page, 'paused', 10000);
    const mb = (b) => (b / 2 ** 20).toFixed(1);
    console.log(`# soak: ${samples.at(-1).epochs.toFixed(2)} epochs through ${interruptions.length} interruptions; seconds of training lost each: ${lost.map((s) => s.toFixed(2)).join(', ')} (steps ${counts.join(', ')})`);
    console.log(`# soak memory (MB, page heap / wasm heap / wasm allocated): ${samples.map((s) => `${s.label}: ${mb(s.pageHeap)}/${mb(s.wasmHeap)}/${mb(s.malloc)}`).join('; ')}`);
    for (const s of lost) assert.ok(s <= 2.5, `an interruption lost ${s.toFixed(2)} s of training`);
    assert.ok(samples.at(-1).epochs > samples[0].epochs + 0.2, 'training went on across the interruptions');
    const first = samples[0];
    for (const s of samples.slice(1)) {
      assert.ok(s.pageHeap <= first.pageHeap * 1.5 + 8 * 2 ** 20, `page heap ${mb(s.pageHeap)} MB at ${s.label}, ${mb(first.pageHeap)} MB at the start`);
      assert.ok(s.malloc <= first.malloc + 2 ** 20, `wasm allocations ${mb(s.malloc)} MB at ${s.label}, ${mb(first.malloc)} MB at the start`);
      assert.ok(s.wasmHeap <= first.wasmHeap, `wasm heap ${mb(s.wasmHeap)} MB at ${s.label}, ${mb(first.wasmHeap)} MB at the start`);
    }
    assert.deepEqual(problems, []);
  });
});
