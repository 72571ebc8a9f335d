// engines.mjs: the two browser engines beside Chromium, behind one small page interface
// (goto, evaluate, waitFor, click, problems) so that one set of site checks runs in both:
//   Firefox: Debian's firefox-esr, headless, through puppeteer-core over WebDriver BiDi.
//   WebKit:  WebKitGTK's MiniBrowser through WebKitWebDriver (classic WebDriver, npm
//            selenium-webdriver), on an Xvfb display of its own when none is set.
// Pages are served by web/serve.mjs behind a small proxy that adds probe.js to every
// HTML page (WebKitWebDriver has no console events, so the page records its own errors) and
// notes every HTTP error. An engine whose binary is absent is reported by missing(), so its
// tests can skip with that reason; any other failure to start is an error.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST, startServer } from '../../../web/serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PROBE = '/__engine-probe.js';

export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const XVFB = '/usr/bin/Xvfb';

// The reason an engine cannot run here (a binary is absent), or null when it can.
export function missing(engine) {
  const need = engine === 'firefox' ? [FIREFOX] : [WEBKIT_DRIVER, MINIBROWSER, ...(process.env.DISPLAY ? [] : [XVFB])];
  const absent = need.filter((f) => !existsSync(f));
  return absent.length ? `${engine}: not installed (${absent.join(', ')} missing; scripts/setup.sh installs it)` : null;
}

// dist/ through web/serve.mjs, behind a proxy adding probe.js to each HTML page.
export async function startSite() {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `npm run build` first');
  const upstream = await startServer({ port: 0 });
  const probe = await readFile(join(here, 'probe.js'));
  const httpErrors = [];
  const server = createServer(async (req, res) => {
    try {
      if (req.url === PROBE) {
        res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(probe);
        return;
      }
      const r = await fetch(new URL(req.url, upstream.url), { method: req.method });
      if (r.status >= 400) httpErrors.push(`HTTP ${r.status}: ${req.url}`);
      const headers = Object.fromEntries([...r.headers].filter(([k]) => !['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(k)));
      let body = Buffer.from(await r.arrayBuffer());
      if ((headers['content-type'] ?? '').startsWith('text/html')) {
        body = Buffer.from(body.toString('utf8').replace(/<head>/i, `<head><script src="${PROBE}"></script>`));
      }
      res.writeHead(r.status, { ...headers, 'Content-Length': body.length }).end(body);
    } catch (err) {
      httpErrors.push(`proxy: ${req.url}: ${err.message}`);
      res.writeHead(502).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    httpErrors,
    async close() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
      await upstream.close();
    },
  };
}

// engine: 'firefox' | 'webkit'; env: extra environment for the browser (e.g. a locale).
export async function launch(engine, { env = {} } = {}) {
  const reason = missing(engine);
  if (reason) throw new Error(reason);
  return engine === 'firefox' ? launchFirefox(env) : launchWebKit(env);
}

async function launchFirefox(env) {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    env: { ...process.env, ...env },
    protocolTimeout: 120000,
  });
  let last = null;
  return {
    name: 'firefox',
    version: await browser.version(),
    // Like WebKit's single window: a new page replaces the last (left open if a test failed).
    async open({ width = 1000, height = 800 } = {}) {
      if (last && !last.isClosed()) await last.close().catch(() => {});
      const page = await browser.newPage();
      last = page;
      await page.setViewport({ width, height });
      // Generous: on a loaded machine a page with its WebAssembly module can take a while.
      page.setDefaultNavigationTimeout(90000);
      page.setDefaultTimeout(90000);
      const problems = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message ?? e}`));
      return {
        goto: (url) => page.goto(url),
        evaluate: (fn, ...args) => page.evaluate(fn, ...args),
        waitFor: (fn, arg, timeout = 60000) => page.waitForFunction(fn, { timeout, polling: 100 }, arg),
        click: (selector) => page.click(selector),
        problems: async () => problems.slice(),
        close: () => page.close(),
      };
    },
    close: () => browser.close(),
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// An Xvfb display of its own (-displayfd picks a free number and reports it).
function startXvfb() {
  return new Promise((resolve, reject) => {
    const proc = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stderr.on('data', (d) => { err += d; });
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err.trim().slice(-300)}`)));
    proc.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ display: `:${out.trim()}`, stop: () => proc.kill() });
    });
  });
}

async function waitForDriver(url, driverProc, timeout = 20000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (driverProc.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driverProc.exitCode}`);
    try {
      if ((await fetch(`${url}/status`)).ok) return;
    } catch { /* not listening yet */ }
    if (Date.now() > end) throw new Error(`WebKitWebDriver did not answer at ${url} within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The user agent's WebKit version is frozen (605.1.15), so the package's version is asked.
function webkitVersion() {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'libwebkit2gtk-4.1-0'], { encoding: 'utf8' });
  return `WebKitGTK ${r.status === 0 ? r.stdout.trim() : '(version unknown)'}`;
}

async function launchWebKit(env) {
  const { Builder, By } = await import('selenium-webdriver');
  const xvfb = process.env.DISPLAY ? null : await startXvfb();
  const port = await freePort();
  const driverProc = spawn(WEBKIT_DRIVER, [`--port=${port}`], {
    env: { ...process.env, ...(xvfb ? { DISPLAY: xvfb.display } : {}), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = () => { driverProc.kill(); xvfb?.stop(); };
  let driver;
  try {
    await waitForDriver(`http://127.0.0.1:${port}`, driverProc);
    driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    }).build();
    await driver.manage().setTimeouts({ script: 120000, pageLoad: 90000 });
  } catch (err) {
    stop();
    throw err;
  }
  const evaluate = (fn, ...args) => driver.executeScript(`return (${fn}).apply(null, arguments);`, ...args);
  await driver.get('about:blank');
  return {
    name: 'webkit',
    version: webkitVersion(),
    // What the engine reports as navigator.language (WebKitGTK derives it from the locale).
    language: await evaluate(() => navigator.language),
    // One window per session: a new page is the same window, resized and navigated afresh.
    async open({ width = 1000, height = 800 } = {}) {
      await driver.manage().window().setRect({ width, height });
      return {
        goto: (url) => driver.get(url),
        evaluate,
        async waitFor(fn, arg, timeout = 60000) {
          const end = Date.now() + timeout;
          for (;;) {
            const value = await evaluate(fn, arg);
            if (value) return value;
            if (Date.now() > end) throw new Error(`webkit: timed out after ${timeout} ms waiting for ${String(fn).slice(0, 160)}`);
            await new Promise((r) => setTimeout(r, 100));
          }
        },
        click: async (selector) => driver.findElement(By.css(selector)).click(),
        problems: () => evaluate(() => (window.__engineProblems ?? ['no probe on this page']).slice()),
        close: () => driver.get('about:blank'),
      };
    },
    async close() {
      try {
        await driver.quit();
      } finally {
        stop();
      }
    },
  };
}
