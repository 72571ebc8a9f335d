// heap.js: every JS-side allocation in the WebAssembly heap goes through one Heap, which
// counts them (memoryStats().jsAllocations), so a test can prove a training step on staged
// views allocates nothing.
import { check, typedArrayKind } from './args.js';

export class Heap {
  #M;
  allocations = 0;

  constructor(M) {
    this.#M = M;
  }

  alloc(bytes) {
    const p = this.#M._malloc(Math.max(4, bytes));
    if (!p) throw new RangeError(`out of memory: cannot allocate ${bytes} bytes in the WebAssembly heap`);
    this.allocations++;
    return p;
  }

  free(p) {
    if (p) this.#M._free(p);
  }

  // Copies a true view (args.js trueView) of a Float32Array or Int32Array into a fresh block.
  copyIn(a) {
    const p = this.alloc(a.length * 4);
    if (typedArrayKind(a) === 'Int32Array') this.#M.HEAP32.set(a, p >> 2);
    else this.#M.HEAPF32.set(a, p >> 2);
    return p;
  }

  // Runs fn(addresses...) with each input copied in (null -> 0, a number is an address
  // already in the heap, used as is), frees what it copied whatever happens, and throws the
  // Error that the bindings return instead of throwing.
  with(inputs, fn) {
    const addresses = [];
    const owned = [];
    try {
      for (const a of inputs) {
        if (a === null || a === undefined) addresses.push(0);
        else if (typeof a === 'number') addresses.push(a);
        else {
          const p = this.copyIn(a);
          owned.push(p);
          addresses.push(p);
        }
      }
      return check(fn(...addresses));
    } finally {
      for (const p of owned) this.free(p);
    }
  }
}
