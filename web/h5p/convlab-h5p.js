// convlab-h5p.js: the H5P content type H5P.ConvlabWidget. Shows one <convlab-widget> (the
// module, with the core inlined, and its style sheet travel inside this library folder, in
// assets/) and a numeric question about it. Checking an answer reports an xAPI
// "answered" statement with score and success, and "completed" once it is right, through
// H5P.EventDispatcher's triggerXAPIScored as H5P's own question types do, so an LMS's H5P
// activity records the result. A classic script, as H5P loads library files.
/* global H5P */
var H5P = window.H5P = window.H5P || {};

H5P.ConvlabWidget = (function (EventDispatcher, script) {
  // This file's own address, while it runs: the library folder, whatever the player calls it.
  var here = script && script.src ? script.src : null;

  function ConvlabWidget(params, contentId) {
    EventDispatcher.call(this);
    this.params = params || {};
    this.contentId = contentId;
    this.score = 0;
    this.answered = false;
  }
  ConvlabWidget.prototype = Object.create(EventDispatcher.prototype);
  ConvlabWidget.prototype.constructor = ConvlabWidget;

  function node(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text) n.textContent = text;
    return n;
  }

  // Accepts decimals, exponents and fractions like 35/8; NaN otherwise.
  function parseAnswer(text) {
    var t = String(text).trim();
    var m = /^(-?[0-9.]+(?:e-?[0-9]+)?)\s*\/\s*(-?[0-9.]+)$/i.exec(t);
    if (m) return Number(m[1]) / Number(m[2]);
    return t === '' ? NaN : Number(t);
  }

  ConvlabWidget.prototype.libraryUrl = function (file) {
    if (here) return new URL(file, here).href;
    return new URL(H5P.getLibraryPath('H5P.ConvlabWidget-1.0') + '/' + file, document.baseURI).href;
  };

  ConvlabWidget.prototype.attach = function ($container) {
    var self = this;
    var p = this.params;
    var root = $container.get(0);
    root.classList.add('h5p-convlab');
    root.textContent = '';
    var widget = node('convlab-widget', { name: p.widget || '' });
    if (p.state) widget.setAttribute('state', p.state);
    var question = node('p', { 'class': 'h5p-convlab-question' }, p.question || '');
    var input = node('input', { type: 'text', inputmode: 'decimal', 'class': 'h5p-convlab-answer', 'aria-label': 'Your answer' });
    var check = node('button', { type: 'button', 'class': 'h5p-joubelui-button h5p-convlab-check' }, 'Check');
    var feedback = node('span', { 'class': 'h5p-convlab-feedback', role: 'status' });
    var form = node('p', {});
    form.append(input, check, feedback);
    root.append(widget, question, form);
    check.addEventListener('click', function () {
      var x = parseAnswer(input.value);
      if (!Number.isFinite(x)) {
        feedback.textContent = 'Type a number (decimals or a fraction like 35/8).';
        return;
      }
      var answer = Number(p.answer);
      var tol = Number(p.tolerance === undefined ? 0.001 : p.tolerance);
      var right = Math.abs(x - answer) <= tol * Math.max(1, Math.abs(answer));
      self.answered = true;
      self.score = right ? 1 : 0;
      feedback.textContent = right ? 'Correct.' : 'Not yet: try again.';
      self.triggerXAPIScored(self.score, 1, 'answered', true, right);
      if (right) self.triggerXAPIScored(self.score, 1, 'completed', true, true);
    });
    // The module defines <convlab-widget>; H5P iframes and LMS pages resize on this event.
    import(this.libraryUrl('assets/convlab-widget.js')).catch(function (err) {
      feedback.textContent = 'The widget could not be loaded: ' + err.message;
    });
    new ResizeObserver(function () { self.trigger('resize'); }).observe(root);
  };

  // The question-type contract H5P containers (Course Presentation, Interactive Book) use.
  ConvlabWidget.prototype.getScore = function () { return this.score; };
  ConvlabWidget.prototype.getMaxScore = function () { return 1; };
  ConvlabWidget.prototype.getAnswerGiven = function () { return this.answered; };

  return ConvlabWidget;
})(H5P.EventDispatcher, document.currentScript);
