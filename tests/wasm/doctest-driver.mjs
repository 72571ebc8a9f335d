// doctest-driver.mjs: runs one doctest module built by tests/wasm/CMakeLists.txt, the same way
// in Node (tests/wasm/run-node.mjs) and in a browser page (tests/browser/doctest-wasm.test.mjs):
// instantiate the factory with the .wasm bytes we were given (the glue never fetches or reads
// a file itself), write the fixture files into its in-memory /fixtures, call main with
// doctest's arguments, and read doctest's closing summary.
// Plain JS with no imports, so a browser page can import it as it is.

// doctest's closing lines, e.g.
//   [doctest] test cases:  12 |  12 passed | 0 failed | 0 skipped
//   [doctest] assertions: 345 | 345 passed | 0 failed |
function parseSummary(lines) {
  const count = (kind) => {
    const line = lines.find((l) => l.startsWith(`[doctest] ${kind}:`));
    const m = line && line.match(/:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed/);
    return m ? { total: +m[1], passed: +m[2], failed: +m[3] } : null;
  };
  return { testCases: count('test cases'), assertions: count('assertions') };
}

// factory: the module's default export (createDoctestModule); wasmBinary: its .wasm bytes;
// fixtures: [name, Uint8Array | string] pairs; args: extra doctest arguments (e.g. '-tc=...').
// Returns { ok, status, output, summary }. ok needs exit status 0, a summary, and at least
// one test case run: a module that ran nothing has not passed.
export async function runDoctestModule({ factory, wasmBinary, fixtures, args = [] }) {
  const lines = [];
  let status;
  try {
    const module = await factory({
      wasmBinary,
      print: (line) => lines.push(line),
      printErr: (line) => lines.push(line),
    });
    module.FS.mkdir('/fixtures');
    for (const [name, data] of fixtures) module.FS.writeFile(`/fixtures/${name}`, data);
    // callMain returns main's exit status; a trap or an abort (e.g. an exception that escaped
    // doctest) is thrown as a JS error instead.
    status = module.callMain(['--no-colors', ...args]);
  } catch (e) {
    lines.push(`[wasm] crashed: ${e && e.stack ? e.stack : e}`);
    status = -1;
  }
  const summary = parseSummary(lines);
  const ok = status === 0 && summary.testCases !== null && summary.testCases.total > 0
    && summary.testCases.failed === 0;
  return { ok, status, output: lines.join('\n'), summary };
}
