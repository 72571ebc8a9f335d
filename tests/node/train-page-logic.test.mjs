// train-page-logic.test.mjs: the training page's DOM-free helpers: what follows from changing
// the optimiser or the loss in the settings form, and the throttle that shows the newest
// evaluation at most once a second.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { newestEvery } from '../../web/src/lib/throttle.js';
import { ADAPTIVE_LR, DEFAULTS, DEFAULT_LR, checkSettings, settingsAfterChange } from '../../web/src/train/settings.js';

test('choosing an optimiser starts from its options and learning rate; a loss switches SGD\'s rate', () => {
  const s = checkSettings(DEFAULTS);
  const adam = settingsAfterChange('optimizer', { ...s, optimizer: 'adam', momentum: 0.5, nesterov: true });
  assert.equal(adam.lr, ADAPTIVE_LR);
  assert.equal(adam.momentum, 0);
  assert.equal(adam.nesterov, false);
  assert.deepEqual(adam.betas, DEFAULTS.betas);
  const sgd = settingsAfterChange('optimizer', { ...adam, optimizer: 'sgd', loss: 'softmax-cross-entropy' });
  assert.equal(sgd.lr, DEFAULT_LR['softmax-cross-entropy']);
  assert.equal(sgd.momentum, DEFAULTS.momentum);
  // the other loss's rate still set: switched; a rate the student chose: kept
  assert.equal(settingsAfterChange('loss', { ...s, loss: 'softmax-cross-entropy', lr: DEFAULT_LR.mse }).lr, DEFAULT_LR['softmax-cross-entropy']);
  assert.equal(settingsAfterChange('loss', { ...s, loss: 'softmax-cross-entropy', lr: 0.07 }), null);
  assert.equal(settingsAfterChange('loss', { ...s, optimizer: 'adam', loss: 'mse', lr: DEFAULT_LR['softmax-cross-entropy'] }), null);
  assert.equal(settingsAfterChange('batch', s), null);
});

test('newestEvery shows the newest value, at most once per interval, and the last one always', async () => {
  const shown = [];
  const times = [];
  const push = newestEvery(60, (v) => { shown.push(v); times.push(performance.now()); return v !== 'skip'; });
  push('a'); push('b'); push('c');
  assert.deepEqual(shown, [], 'never synchronously');
  await sleep(20);
  assert.deepEqual(shown, ['c'], 'the newest of a burst, once');
  push('d'); push('e');
  await sleep(20);
  assert.deepEqual(shown, ['c'], 'not again within the interval');
  await sleep(80);
  assert.deepEqual(shown, ['c', 'e'], 'the last value on the trailing edge');
  assert.ok(times[1] - times[0] >= 55, `interval kept (${(times[1] - times[0]).toFixed(1)} ms)`);
  await sleep(80);
  push('skip');
  await sleep(20);
  push('f');
  await sleep(20);
  assert.deepEqual(shown, ['c', 'e', 'skip', 'f'], 'a value that showed nothing does not hold back the next');
});
