// client.js: the page's side of the worker: starts it, sends it protocol.js messages, and
// watches it. A worker that throws, whose message cannot be read, or that stops answering
// (no message for HANG_MS while it should be talking: it was killed, closed itself or ran
// out of memory without an error event) is terminated and reported through onDeath, once.
// It also counts the traffic (messages and approximate bytes per type), which the tests
// read to check that a long run does not talk more than a short one.

import { HANG_MS } from './protocol.js';

// Approximate structured-clone size of a message: typed arrays by their bytes, numbers 8,
// strings 2 per character.
function sizeOf(v, depth = 0) {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 8;
  if (typeof v === 'string') return 2 * v.length;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (depth > 8) return 0;
  if (Array.isArray(v)) return v.reduce((a, x) => a + sizeOf(x, depth + 1), 8);
  if (typeof v === 'object') return Object.entries(v).reduce((a, [k, x]) => a + 2 * k.length + sizeOf(x, depth + 1), 8);
  return 0;
}

export class WorkerClient {
  // url: the worker bundle. onMessage(msg), onDeath(reason).
  constructor(url, { onMessage, onDeath }) {
    this.worker = new Worker(url, { type: 'module', name: 'convlab-train' });
    this.onDeath = onDeath;
    this.dead = false;
    this.expecting = false; // true while the worker owes us messages (running, or a reply)
    this.deadline = HANG_MS;
    this.lastHeard = performance.now();
    this.traffic = { messages: 0, bytes: 0, byType: {} };
    this.worker.onmessage = (e) => {
      if (this.dead) return;
      this.lastHeard = performance.now();
      this.count(e.data);
      onMessage(e.data);
    };
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      this.die(`crashed (${e.message || 'an error without a message'})`);
    };
    this.worker.onmessageerror = () => this.die('crashed (a message from it could not be read)');
    this.watch = setInterval(() => {
      if (this.expecting && performance.now() - this.lastHeard > this.deadline) this.die(`stopped answering for ${this.deadline / 1000} s`);
    }, 500);
  }

  count(msg) {
    const bytes = sizeOf(msg);
    const t = (this.traffic.byType[msg.type] ??= { messages: 0, bytes: 0 });
    t.messages += 1;
    t.bytes += bytes;
    this.traffic.messages += 1;
    this.traffic.bytes += bytes;
  }

  // within: the worker must answer within that many ms (start-up loads the core, so it
  // gets longer than a running worker's HANG_MS between progress messages).
  send(msg, { within = 0 } = {}) {
    if (this.dead) return;
    if (within) this.setExpecting(true, within);
    this.worker.postMessage(msg);
  }

  // The page sets this from the worker's state: running means a steady stream of messages.
  setExpecting(expecting, within = HANG_MS) {
    if (expecting) {
      this.lastHeard = performance.now();
      this.deadline = within;
    }
    this.expecting = expecting;
  }

  terminate() {
    this.dead = true;
    clearInterval(this.watch);
    this.worker.terminate();
  }

  die(reason) {
    if (this.dead) return;
    this.terminate();
    this.onDeath(reason);
  }
}
