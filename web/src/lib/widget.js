// widget.js: the base class most widgets extend. It holds the part of the widget contract
// (README.md) that was written out the same way in each widget: keep ctx.cl, ctx and the
// settings, build the page once, draw; hand out the state; take a state in through the
// subclass's static validate(); apply a user's change and report it through ctx.onChange.
// It draws nothing and checks nothing itself: build(), update() and static validate() are the
// subclass's. Widgets whose life differs (several redraw steps, a run loop) need not use it.
// DOM-free at import time, like every widget module (the lint imports them in Node).

export class Widget {
  // container: an empty element to fill; settings: already validated; ctx as in README.md.
  // Subclass instance fields (`x = 1;` in the class body) are set only after this returns,
  // so they would overwrite what build() made: set such things in build() instead.
  constructor(container, settings, ctx) {
    this.cl = ctx.cl;
    this.ctx = ctx;
    this.s = { ...settings };
    this.build(container);
    this.update();
  }

  // Fill the container once (controls, plots, result lines). Controls call this.change(patch).
  build(container) {}

  // Redraw everything from this.s; every number shown comes from this.cl.
  update() {}

  // The state as plain data; arrays are copied so that a caller cannot edit this.s.
  // Override when the state is not simply this.s.
  state() {
    return Object.fromEntries(Object.entries(this.s).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]));
  }

  getState() {
    return this.state();
  }

  // Move the controls to this.s after setState (user changes move them themselves).
  sync() {}

  // s comes from outside, already complete: the runtime (embed.js) merges a partial message
  // into getState() and validates it first. Validated again here (it is public), then shown;
  // does not call ctx.onChange.
  setState(s) {
    this.s = this.constructor.validate(s);
    this.sync();
    this.update();
  }

  // The settings after a user's change; override to keep dependent fields consistent.
  merge(patch) {
    return { ...this.s, ...patch };
  }

  // A user's change: apply, redraw, tell the runtime (URL, embed parent).
  change(patch) {
    this.s = this.merge(patch);
    this.update();
    this.ctx.onChange(this.getState());
  }
}
