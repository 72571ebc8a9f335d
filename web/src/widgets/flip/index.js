// flip (lesson 6, eqs. 2.10-2.11): cross-correlation against convolution. The correlation
// slides the kernel as it is, the convolution slides it flipped; flipping the kernel before
// correlating (the toggle) makes the two equal, as eq. 2.11 says. Both curves come from the
// core: cl.correlate(f, k) with k = h or its reversal, and cl.convolve(f, h), in 'full' mode
// (index u of both runs over 0 .. n + m − 2). The widget only reverses an array.
// Settings: { f: number[], h: number[], flip: boolean }.

import { checkbox, el, fmt, numberList, result } from '../../lib/dom.js';
import { bool, numArray, validateWith } from '../../lib/validate.js';
import { signalPlot } from '../../lib/plot.js';
import { Widget } from '../../lib/widget.js';

const F_LIMITS = { minLength: 1, maxLength: 48, min: -1000, max: 1000 };
const H_LIMITS = { minLength: 1, maxLength: 15, min: -1000, max: 1000 };

export default class Flip extends Widget {
  static defaults = { f: [0, 1, 2, 3, 2, 1, 0, 0, 4, 0], h: [1, 0, -1], flip: false };

  static validate(settings) {
    return validateWith(settings, Flip.defaults, {
      f: (v, name) => numArray(v, name, F_LIMITS),
      h: (v, name) => numArray(v, name, H_LIMITS),
      flip: bool,
    });
  }

  build(container) {
    this.toggle = checkbox({ label: 'Flip the kernel before correlating (h̄[t] = h[−t])', checked: this.s.flip, onChange: (flip) => this.change({ flip }) });
    this.fList = numberList({ label: 'Signal f', value: this.s.f, check: (l) => numArray(l, 'f', F_LIMITS), onChange: (f) => this.change({ f }) });
    this.hList = numberList({ label: 'Kernel h', value: this.s.h, check: (l) => numArray(l, 'h', H_LIMITS), onChange: (h) => this.change({ h }) });
    container.append(el('div', { class: 'controls' }, this.toggle.root));
    this.plot = signalPlot(container, [
      { label: 'correlation (cl.correlate)', kind: 'bars' },
      { label: 'convolution f∗h (cl.convolve)', kind: 'line' },
    ], { xLabel: 'u' });
    this.used = el('p', { class: 'kernel-used' });
    this.corr = result('correlation:');
    this.conv = result('convolution:');
    this.diff = result('max |correlation − convolution| =');
    container.append(this.used, this.corr.root, this.conv.root, this.diff.root,
      el('div', { class: 'controls' }, this.fList.root, this.hList.root));
  }

  update() {
    const { f, h, flip } = this.s;
    const kernel = flip ? [...h].reverse() : h;
    const fa = Float32Array.from(f);
    const corr = this.cl.correlate(fa, Float32Array.from(kernel), { mode: 'full' });
    const conv = this.cl.convolve(fa, Float32Array.from(h), { mode: 'full' });
    let maxDiff = 0;
    for (let i = 0; i < conv.length; i++) maxDiff = Math.max(maxDiff, Math.abs(corr[i] - conv[i]));
    this.plot.update(Array.from(conv, (_, i) => i), [Array.from(corr), Array.from(conv)]);
    this.used.textContent = `The correlation slides ${flip ? 'the flipped kernel h̄' : 'the kernel h'} = [${kernel.map((v) => fmt(v)).join(', ')}] ` +
      `${flip ? '— so it equals the convolution (eq. 2.11).' : 'as it is; the convolution slides it flipped.'}`;
    this.corr.set(`[${Array.from(corr, (v) => fmt(v)).join(', ')}]`, Array.from(corr));
    this.conv.set(`[${Array.from(conv, (v) => fmt(v)).join(', ')}]`, Array.from(conv));
    this.diff.set(fmt(maxDiff), maxDiff);
    this.toggle.set(flip);
    this.fList.set(f);
    this.hList.set(h);
  }
}
