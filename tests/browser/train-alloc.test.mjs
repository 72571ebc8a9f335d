// train-alloc.test.mjs: the training page's worker trains on the network's own staging
// buffers in WebAssembly memory (web/src/train/run.js), so a training step, a held-out
// evaluation and an inspection make no JavaScript-side allocation: the wrapper's allocation
// count (cl.memoryStats().jsAllocations, read in the worker) does not move while the steps do.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { openTrainPage, resetWith, waitTrainState } from './helpers.mjs';

describe('training page: allocations', () => {
  let env;
  let page;
  let problems;

  before(async () => {
    ({ env, page, problems } = await openTrainPage());
  });

  after(async () => {
    await env?.close();
  });

  test('steps advance and the worker allocates nothing from JavaScript', async () => {
    // Small evaluation interval so the window below includes evaluations as well as steps.
    await resetWith(page, { batch: 32, epochs: 2 });
    await page.click('#t-start');
    await waitTrainState(page, 'running', 20000);
    const memory = () => page.evaluate(() => window.convlabTrain.memory());
    await page.waitForTimeout(500); // past the first staging of a batch and of an evaluation chunk
    const first = await memory();
    await page.waitForTimeout(3000);
    const second = await memory();
    await page.click('#t-pause');
    assert.equal(typeof first.jsAllocations, 'number', 'the worker reports its allocation count');
    assert.ok(second.steps - first.steps >= 20, `steps ${first.steps} -> ${second.steps}`);
    assert.equal(second.jsAllocations, first.jsAllocations,
      `${second.jsAllocations - first.jsAllocations} JS-side allocations over ${second.steps - first.steps} steps`);
    assert.deepEqual(problems, []);
  });
});
