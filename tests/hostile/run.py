"""Run provider-audit in a child process with a time limit and an address-space limit, for attacks that
hang (a FIFO), never end (``/dev/zero``) or eat memory (an alias bomb): a regression must fail the test,
not the machine. Used by the hostile tests."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Sequence

REPO = Path(__file__).resolve().parent.parent.parent

# In the child: limit the address space, run the CLI in-process, then report the peak RSS (KiB on
# Linux) on an inherited pipe, so that the tool's own stdout and stderr stay untouched.
_CHILD = r"""
import os, resource, sys
limit = int(os.environ.pop("PA_TEST_AS_LIMIT", "0"))
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from provider_audit.cli import main
try:
    main(sys.argv[1:], prog_name="provider-audit")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
else:
    code = 0
sys.stdout.flush(); sys.stderr.flush()
# VmHWM: this process's own peak (ru_maxrss starts at the parent's RSS, pytest's, on Linux).
try:
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
except (OSError, StopIteration, ValueError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with os.fdopen(int(os.environ["PA_TEST_REPORT_FD"]), "w") as report:
    report.write(str(peak))
os._exit(code)
"""


@dataclass
class Run:
    code: Optional[int]  # None: killed at the time limit
    stdout: str
    stderr: str
    peak_kib: int  # the child's peak resident set size; 0 when it did not report


def run_cli(args: Sequence[object], *, timeout: float = 30, memory: int = 1536 << 20, cwd: Optional[Path] = None,
            env: Optional[Dict[str, str]] = None) -> Run:
    """``provider-audit ARGS`` in a child limited to ``timeout`` seconds and ``memory`` bytes of address space."""
    read, write = os.pipe()
    child_env = {**os.environ, "PA_TEST_AS_LIMIT": str(memory), "PA_TEST_REPORT_FD": str(write),
                 "PYTHONPATH": str(REPO), **(env or {})}
    try:
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, *map(str, args)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, pass_fds=(write,),
                                cwd=cwd, env=child_env)
    finally:
        os.close(write)
    try:
        out, err = proc.communicate(timeout=timeout)
        code: Optional[int] = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        code = None
    with os.fdopen(read) as handle:
        peak = handle.read().strip()
    return Run(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), int(peak) if peak else 0)


def one_line_error(run: Run) -> str:
    """The single ``Error: ...`` line of a run that exited 2 at once; fails the test otherwise."""
    assert run.code == 2, (run.code, run.stderr[-500:])
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), run.stderr[-500:]
    assert "internal error" not in run.stderr and "\x1b" not in run.stderr, run.stderr[-500:]
    return lines[0]


def invoke(*args, **kwargs):
    """``provider-audit ARGS`` in this process (click's runner), stdout and stderr kept apart."""
    from click.testing import CliRunner

    from provider_audit.cli import main

    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 keeps them apart anyway
        runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], **kwargs)
