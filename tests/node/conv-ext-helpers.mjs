// conv-ext-helpers.mjs: what the conv-ext tests (dilation and groups, the transposed
// convolution) share.
import assert from 'node:assert/strict';

import { cl } from './helpers.mjs';

// Every conv2d method and 'auto': each must honour dilation and groups.
export const methods = [...cl.methods.conv2d, 'auto'];

// The message of the Error fn throws (failing when it throws none or a non-Error).
export function throwsMessage(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, `expected an Error, got ${e}`);
    return e.message;
  }
  assert.fail('expected a throw');
}
