"""Checks the files tests/node/export.test.mjs exported into a directory, with /usr/bin/python3
(Debian's python3-torch and python3-onnx): runs every PyTorch script <case>.py as a script on
<case>.x.f32 into <case>.torch.f32, and validates every <case>.onnx with onnx.checker (full
check, shapes inferred). One process for all cases, since importing torch is the slow part.
Prints {"torch": {case: "ok" | error}, "onnx": {case: "ok" | error}} as JSON.
"""
import json
import pathlib
import runpy
import sys
import traceback

import onnx


def run_script(directory, case):
    saved = sys.argv
    sys.argv = [str(directory / f'{case}.py'), str(directory / f'{case}.x.f32'), str(directory / f'{case}.torch.f32')]
    try:
        runpy.run_path(sys.argv[0], run_name='__main__')
    finally:
        sys.argv = saved


def check_onnx(directory, case):
    onnx.checker.check_model(onnx.load(str(directory / f'{case}.onnx')), full_check=True)


def outcome(fn, *args):
    try:
        fn(*args)
        return 'ok'
    except BaseException:  # SystemExit from a script's usage line is a failure too
        return traceback.format_exc(limit=3)


def main(directory):
    directory = pathlib.Path(directory)
    report = {
        'torch': {p.stem: outcome(run_script, directory, p.stem) for p in sorted(directory.glob('*.py'))},
        'onnx': {p.stem: outcome(check_onnx, directory, p.stem) for p in sorted(directory.glob('*.onnx'))},
    }
    print(json.dumps(report))


if __name__ == '__main__':
    main(sys.argv[1])
