#!/usr/bin/env python3
"""Benchmark provider-audit against llm-sunset, semgrep (AI rules) and ripgrep (the catalog's keywords).

Fetches nothing: give it paths to trees you already have. For each tree it runs every tool N times
(the first run is a warm-up for the file cache and is not counted), and writes a Markdown table of
wall time (median, min), CPU time, peak memory and the size of provider-audit's JSON report, with
ratios, to ``benchmarks/results-<date>.md`` (and stdout). See benchmarks/README.md.

    python benchmarks/bench.py /tmp/repos/ai /tmp/repos/aider /tmp/repos/flask \\
        --semgrep-rules /tmp/repos/semgrep-rules
    python benchmarks/bench.py --skip semgrep --update-readme /tmp/repos/ai /tmp/repos/flask
    python benchmarks/bench.py --scale 10 /tmp/repos/flask

Memory: "peak RSS" is the largest single process (from wait4, as /usr/bin/time reports it);
"peak PSS" is the whole process tree (the tool and every worker it starts), sampled from /proc
every few milliseconds, shared pages counted once. Where /proc is missing only the first is shown.
Unix only (fork, wait4).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

SAMPLE_INTERVAL = 0.01  # seconds between /proc samples of the process tree (at least)
PA = "provider-audit"
BEFORE = "provider-audit before"  # --before COMMAND: another build measured in the same run
NO_CACHE = "provider-audit (no cache)"  # every file analysed: a first run, or a CI job without a cache
CACHED = "provider-audit (cached, unchanged)"  # a repeated run: what a pre-commit hook mostly is
CACHED_JSON = "provider-audit (cached, unchanged, JSON)"  # the same, writing the JSON report
SUNSET = "llm-sunset"
SEMGREP = "semgrep ai/ rules"
RIPGREP = "ripgrep (keywords)"
SKIPPABLE = ("semgrep", "rg", "llm-sunset", "cached")


# -- measuring one command ------------------------------------------------------------------------

@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and the children it waited for
    max_rss: float  # MB, the largest single process
    tree_pss: Optional[float]  # MB, the largest sampled sum over the process tree (None: no /proc)
    code: int
    stderr: str = ""


def _children(pid: int) -> List[int]:
    """Every descendant of ``pid`` (children of any of its threads, recursively)."""
    found: List[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(p) for p in handle.read().split())
        except OSError:
            continue
    for child in list(found):
        found.extend(_children(child))
    return found


def _memory_kb(pid: int) -> int:
    """Proportional set size (shared pages divided among their users), else resident size."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the memory of all the descendants of a process until told to stop."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.samples = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            started = time.perf_counter()
            total = sum(_memory_kb(p) for p in _children(self.pid))  # the wrapper's descendants
            self.samples += 1
            self.peak_kb = max(self.peak_kb, total)
            # Sampling a large process costs time on the cores being measured: stay under ~5% of one.
            self._done.wait(max(SAMPLE_INTERVAL, 20 * (time.perf_counter() - started)))

    def stop(self) -> None:
        self._done.set()
        self.join()


# The measured command runs as the child of this small wrapper, which reports the child's wall time
# and rusage on a pipe. A fresh process on purpose: a child's peak RSS starts at its parent's (fork
# copies the high-water mark), so a tool forked from this script would inherit this script's peak.
_WRAPPER = r"""
import os, sys, time
out = int(sys.argv[1])
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.close(out)
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
os.write(out, ("%r %r %r" % (wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)).encode())
os.close(out)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def measure(command: Sequence[str], cwd: Optional[str] = None, env: Optional[Dict[str, str]] = None) -> Run:
    """Run ``command`` once, its output discarded; wall time, CPU time and peak memory."""
    have_proc = os.path.exists(f"/proc/{os.getpid()}/status")
    read_end, write_end = os.pipe()
    try:
        proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _WRAPPER, str(write_end), *command], cwd=cwd,
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, pass_fds=(write_end,))
    finally:
        os.close(write_end)
    sampler = TreeSampler(proc.pid) if have_proc else None
    if sampler:
        sampler.start()
    err = proc.stderr.read()  # until the command and the wrapper are done
    proc.wait()
    if sampler:
        sampler.stop()
    with os.fdopen(read_end, "rb") as handle:
        reported = handle.read().split()
    proc.stderr.close()
    if len(reported) != 3:
        raise SystemExit(f"could not run {shlex.join(command)}: {err.decode('utf-8', 'replace')[-2000:]}")
    wall, cpu, max_rss = (float(x) for x in reported)
    max_rss /= 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KB elsewhere
    return Run(wall, cpu, max_rss, sampler.peak_kb / 1024 if sampler and sampler.peak_kb else None,
               proc.returncode, err.decode("utf-8", "replace"))


@dataclass
class Result:
    tool: str
    command: List[str]
    runs: List[Run] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def best(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss(self) -> float:
        return max(r.max_rss for r in self.runs)

    @property
    def pss(self) -> Optional[float]:
        values = [r.tree_pss for r in self.runs if r.tree_pss is not None]
        return max(values) if values else None


def bench(tool: str, command: List[str], runs: int, cwd: Optional[str] = None,
          env: Optional[Dict[str, str]] = None, ok_codes: Tuple[int, ...] = (0,)) -> Result:
    result = Result(tool, command)
    for index in range(runs + 1):  # the first run warms the file cache and is not counted
        run = measure(command, cwd, env)
        if run.code not in ok_codes:
            raise SystemExit(f"{tool}: exit {run.code}: {shlex.join(command)}\n{run.stderr[-2000:]}")
        if index:
            result.runs.append(run)
        print(f"  {tool}: run {index} {run.wall:.3f} s" + (" (warm-up)" if not index else ""), file=sys.stderr)
    return result


# -- the tools --------------------------------------------------------------------------------------

def provider_audit_command(explicit: Optional[str]) -> List[str]:
    if explicit:
        return shlex.split(explicit)
    found = shutil.which("provider-audit")
    return [found] if found else [sys.executable, "-m", "provider_audit"]


def child_env(pycache: str) -> Dict[str, str]:
    """As an installed tool runs: bytecode cached (PYTHONDONTWRITEBYTECODE would recompile every run)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def keywords_file(folder: str, audit: List[str], env: Dict[str, str]) -> str:
    """The catalog's keywords, one a line, from the provider-audit under test."""
    python = audit_python(audit)
    code = "from provider_audit.data.catalog import load_catalog\nprint('\\n'.join(load_catalog().keywords))"
    words = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    # One keyword a line: a keyword holding a line break would leave an empty pattern, which every line
    # matches (ripgrep would then stop at the first line of each file). The catalog has none; be sure.
    lines = [word for word in words.splitlines() if word.strip()]
    path = os.path.join(folder, "keywords.txt")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def _python_of(script: str) -> str:
    """The interpreter of a console script (its shebang), else this one."""
    try:
        with open(script, "rb") as handle:
            first = handle.readline().decode("utf-8", "replace").strip()
        if first.startswith("#!") and "python" in first:
            return shlex.split(first[2:])[0]
    except OSError:
        pass
    return sys.executable


def import_time(python: str, runs: int, env: Dict[str, str]) -> Optional[float]:
    """The least of ``runs`` measures of ``python -X importtime -c "import provider_audit.cli"``, in ms:
    the start-up of every scan before it reads a file (the cumulative time of the cli module)."""
    best = None
    for _ in range(runs):
        out = subprocess.run([python, "-X", "importtime", "-c", "import provider_audit.cli"], capture_output=True,
                             text=True, env=env)
        for line in out.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[2].strip() == "provider_audit.cli":
                value = int(parts[1]) / 1000
                best = value if best is None else min(best, value)
    return best


def profile(python: str, tree: str, env: Dict[str, str]) -> str:
    """``profile_scan.py``'s breakdown of a serial cold scan of ``tree``: where the time that remains goes."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile_scan.py")
    print(f"# profile of {tree}", file=sys.stderr)
    done = subprocess.run([python, script, tree], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return f"- profile of {tree} failed: {(done.stderr.strip().splitlines() or ['no message'])[-1]}\n"
    return done.stdout


def audit_python(audit: List[str]) -> str:
    """The interpreter that runs the provider-audit command."""
    return audit[0] if len(audit) >= 3 and audit[1:3] == ["-m", "provider_audit"] else _python_of(audit[0])


def audit_summary(result: "Result") -> Tuple[int, int]:
    """(files scanned, usages) from provider-audit's one-line summary on stderr ("... N usages in M files")."""
    found = re.search(r"(\d+) usages in (\d+) files", result.runs[-1].stderr if result.runs else "")
    return (int(found.group(2)), int(found.group(1))) if found else (-1, -1)


def rg_file_count(rg: str, tree: str, flags: List[str]) -> int:
    out = subprocess.run([rg, "--files", *flags, tree], capture_output=True, text=True)
    return len(out.stdout.splitlines())


def rg_flags(tree: str, git: bool) -> List[str]:
    # In a git tree: the files git does not ignore, hidden ones included (.github/), as provider-audit
    # lists them. Elsewhere (synthetic trees): everything.
    return ["--hidden", "--glob", "!.git/"] if git else ["--hidden", "--no-ignore", "--glob", "!.git/"]


def tree_bytes(tree: str) -> int:
    total = 0
    for folder, dirs, names in os.walk(tree):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total


# -- reporting --------------------------------------------------------------------------------------

def _mb(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1e6:.1f} MB"
    return f"{count / 1e3:.1f} kB" if count >= 1000 else f"{count} B"


def machine() -> str:
    """CPU model, cores (online and usable by this process) and memory, from /proc where there is one."""
    model, memory = "", ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "")
    except OSError:
        pass
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kb = next((int(line.split()[1]) for line in handle if line.startswith("MemTotal:")), 0)
        memory = f"{kb / 1024 / 1024:.1f} GiB RAM" if kb else ""
    except (OSError, ValueError):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parts = [model or platform.processor() or platform.machine(), f"{os.cpu_count()} cores ({usable} usable)", memory,
             f"{platform.system()} {platform.release()}", f"Python {sys.version.split()[0]}"]
    return ", ".join(p for p in parts if p)


def _load() -> str:
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


@dataclass
class TreeReport:
    """What one tree's comparison measured, for its table and the summary."""

    tree: str
    results: List[Result]
    files: Tuple[int, int]  # provider-audit: files scanned, usages
    rg_files: Optional[int]
    size: int  # bytes on disk
    json_bytes: Dict[str, Optional[int]]  # provider-audit's JSON report, per variant (PA, BEFORE)
    load: Tuple[str, str]  # load averages (1, 5, 15 min) before and after

    def get(self, tool: str) -> Optional[Result]:
        return next((r for r in self.results if r.tool == tool and r.runs), None)


def table(report: TreeReport) -> str:
    name = os.path.basename(os.path.normpath(report.tree))
    files, rg_files, results = report.files, report.rg_files, report.results
    lines = [f"### {name} ({report.size / 1e6:.1f} MB on disk; provider-audit: {files[0]} files scanned, "
             f"{files[1]} usages" + (f"; rg: {rg_files} files searched" if rg_files is not None else "") + ")",
             "",
             f"- load average (1 / 5 / 15 min) before: {report.load[0]}; after: {report.load[1]}"]
    for variant, size in report.json_bytes.items():
        if size is not None:
            lines.append(f"- {variant} JSON report: {_size(size)} ({size} bytes)")
    lines += ["",
              "| tool | median s | min s | CPU s (median) | peak RSS MB (largest process) | peak PSS MB (process tree) |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        if not r.runs:
            lines.append(f"| {r.tool} | - | - | - | - | - |")
            continue
        lines.append(f"| {r.tool} | {r.median:.3f} | {r.best:.3f} | {r.cpu:.2f} | {_mb(r.rss)} | {_mb(r.pss)} |")
    audits = [r for r in results if r.tool.startswith(PA) and r.runs]
    others = [r for r in results if not r.tool.startswith(PA)]
    lines.append("")
    for r in audits:
        if r.tool.startswith(BEFORE):
            continue
        old = report.get(r.tool.replace(PA, BEFORE, 1))
        if old is not None:
            cpu = f"{old.cpu / r.cpu:.2f}" if r.cpu > 0 else "n/a"
            lines.append(f"- {r.tool}: before / after = {old.median / r.median:.2f} (median wall time), {cpu} (CPU)")
    for audit in audits:
        for other in others:
            if not other.runs:
                continue
            wall = (f"**{other.median / audit.median:.1f}x faster** than" if other.median >= audit.median
                    else f"takes **{audit.median / other.median:.1f}x** the time of")
            cpu = (f"{other.cpu / audit.cpu:.1f}x less CPU" if other.cpu >= audit.cpu
                   else f"{audit.cpu / other.cpu:.1f}x the CPU") if audit.cpu > 0 and other.cpu > 0 else "CPU n/a"
            lines.append(f"- {audit.tool} {wall} {other.tool} (median wall time; {cpu})")
    for other in others:
        if not other.runs:
            lines.append(f"- {other.tool}: not run ({other.note})")
        elif other.note:
            lines.append(f"- {other.tool}: {other.note}")
    return "\n".join(lines) + "\n"


# The targets of issue 18, checked on every run: (what, limit). Ratios are of median wall times.
SMALL_TREE_FILES = 1000  # a tree with fewer files scanned is "small" (flask): whole-process time target
TARGETS = {
    "sunset": ("no cache: at least 3x faster than llm-sunset", 3.0),
    "rg_cold": ("no cache: within 15x ripgrep", 15.0),
    "rg_json": ("cached, unchanged, JSON: within 5x ripgrep", 5.0),
    "memory": ("no cache: peak memory of all processes <= 150 MB", 150.0),
    "json": ("JSON report <= 5 MB", 5_000_000),
    "small": ("small tree: whole process <= 0.25 s (no cache and cached)", 0.25),
    "scale": ("linear: K times the bytes in <= K times the time", 10.0),
    "import": ("start-up: `import provider_audit.cli` < 80 ms (least of several)", 80.0),
}


def targets(reports: List[TreeReport], scaled: Optional[Scaling], import_ms: Optional[float]) -> str:
    """The issue's targets against this run: one row each, measured value and met / missed."""
    rows: List[Tuple[str, str, str, str]] = []

    def add(key: str, tree: str, value: Optional[float], shown: str, met: Optional[bool]) -> None:
        verdict = "not measured" if value is None or met is None else ("met" if met else "**missed**")
        rows.append((TARGETS[key][0], tree, shown if value is not None else "-", verdict))

    large = [r for r in reports if r.files[0] >= SMALL_TREE_FILES]
    for report in large:
        name = os.path.basename(os.path.normpath(report.tree))
        cold, cached_json = report.get(NO_CACHE), report.get(CACHED_JSON)
        sunset, rg = report.get(SUNSET), report.get(RIPGREP)
        if cold and sunset:
            ratio = sunset.median / cold.median
            speed = f"{ratio:.2f}x faster" if ratio >= 1 else f"{1 / ratio:.2f}x slower"
            add("sunset", name, ratio, f"{speed} ({cold.median:.2f} s vs {sunset.median:.2f} s)",
                ratio >= TARGETS["sunset"][1])
        else:
            add("sunset", name, None, "", None)
        for key, row in (("rg_cold", cold), ("rg_json", cached_json)):
            if row and rg:
                ratio = row.median / rg.median
                add(key, name, ratio, f"{ratio:.1f}x ({row.median:.2f} s vs {rg.median:.3f} s)",
                    ratio <= TARGETS[key][1])
            else:
                add(key, name, None, "", None)
        memory = (cold.pss if cold.pss is not None else cold.rss) if cold else None
        add("memory", name, memory, f"{memory:.0f} MB" if memory is not None else "",
            memory is not None and memory <= TARGETS["memory"][1])
        size = report.json_bytes.get(PA)
        add("json", name, size, f"{_size(size)} ({size:,} bytes)" if size is not None else "",
            size is not None and size <= TARGETS["json"][1])
    for report in reports:
        if report in large:
            continue
        name = os.path.basename(os.path.normpath(report.tree))
        timed = [r for r in (report.get(NO_CACHE), report.get(CACHED)) if r]
        worst = max((r.median for r in timed), default=None)
        add("small", name, worst, " / ".join(f"{r.median:.3f} s" for r in timed),
            worst is not None and worst <= TARGETS["small"][1])
    if scaled is not None:
        add("scale", f"{scaled.tree} x{scaled.copies}", scaled.growth,
            f"{scaled.bytes_ratio:.1f}x the bytes, {scaled.growth:.2f}x the time",
            scaled.growth <= scaled.bytes_ratio)
    add("import", "-", import_ms, f"{import_ms:.0f} ms" if import_ms is not None else "",
        import_ms is not None and import_ms < TARGETS["import"][1])
    lines = ["| target (issue 18) | tree | measured | |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines) + "\n"


SUMMARY_START = "<!-- speed-table:start (benchmarks/bench.py --update-readme) -->"
SUMMARY_END = "<!-- speed-table:end -->"


def summary(reports: List[TreeReport]) -> str:
    """One row per tree, the README's speed table: median wall time (and peak memory of all processes)."""

    def cell(report: TreeReport, tool: str, memory: bool = False) -> str:
        r = report.get(tool)
        if r is None:
            return "-"
        mem = r.pss if r.pss is not None else r.rss
        return f"{r.median:.2f} s" + (f", {mem:.0f} MB" if memory and mem is not None else "")

    lines = ["| tree | files | provider-audit, no cache | cached, text | cached, JSON | JSON report "
             "| llm-sunset | semgrep `ai/` rules | ripgrep (keywords only) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for report in reports:
        name = os.path.basename(os.path.normpath(report.tree))
        json_bytes = report.json_bytes.get(PA)
        size = _size(json_bytes) if json_bytes is not None else "-"
        lines.append(f"| {name} | {report.files[0]:,} | {cell(report, NO_CACHE, True)} | {cell(report, CACHED)} "
                     f"| {cell(report, CACHED_JSON)} | {size} | {cell(report, SUNSET, True)} "
                     f"| {cell(report, SEMGREP, True)} | {cell(report, RIPGREP)} |")
    return "\n".join(lines) + "\n"


def update_readme(path: str, table_text: str) -> bool:
    """Replace the table between the speed-table markers of ``path``; False when the markers are missing."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    start, end = text.find(SUMMARY_START), text.find(SUMMARY_END)
    if start < 0 or end < start:
        return False
    text = text[:start + len(SUMMARY_START)] + "\n" + table_text + text[end:]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return True


def _version(command: List[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=120)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def _checkout() -> str:
    """The commit of the checkout this script lives in (what an editable install measures)."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(["git", "-C", here, "log", "-1", "--format=%h %s"], capture_output=True, text=True,
                             timeout=30)
        return out.stdout.strip()[:100] or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def header(args: argparse.Namespace, audit: List[str], tools: Dict[str, Optional[str]],
           rg_options: str = "--hidden --glob '!.git/'") -> str:
    rows = [f"- machine: {machine()}",
            f"- load average (1 / 5 / 15 min) at start: {_load()} (near or above the "
            "number of cores, other work competed: wall times grow, the CPU columns and the ratios less)",
            f"- provider-audit: `{shlex.join(audit)}` ({_version([*audit, '--version'])}); checkout {_checkout()}; "
            f"PROVIDER_AUDIT_JOBS={os.environ.get('PROVIDER_AUDIT_JOBS', 'unset (auto)')}",
            f"- runs: {args.runs} counted per tool and tree, after one warm-up run"]
    if getattr(args, "label", None):
        rows.append(f"- note: {args.label}")
    if tools.get("llm-sunset"):
        rows.append(f"- llm-sunset: {_version([tools['llm-sunset'], '--version'])}: "
                    f"`llm-sunset scan --offline --no-fail --color never TREE`")
    if tools.get("rg"):
        rows.append(f"- ripgrep: {_version([tools['rg'], '--version'])}: `rg -i -l -F -f KEYWORDS {rg_options} TREE`")
    if tools.get("semgrep"):
        rows.append(f"- semgrep: {_version([tools['semgrep'], '--version'])}: `semgrep scan --config "
                    f"{args.semgrep_rules}/ai --metrics=off --disable-version-check -j {args.semgrep_jobs} --quiet TREE`")
    return "\n".join(rows) + "\n"


class Output:
    """The Markdown report: to stdout as it is made, and into the results file at the end."""

    def __init__(self) -> None:
        self.parts: List[str] = []

    def __call__(self, text: str = "") -> None:
        print(text)
        sys.stdout.flush()
        self.parts.append(text + "\n")

    def save(self, path: Optional[str], append: bool = False) -> None:
        if not path or path == "-":
            return
        with open(path, "a" if append else "w", encoding="utf-8") as handle:
            handle.write("".join(self.parts))
        print(f"results written to {path}", file=sys.stderr)


def default_results() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), f"results-{time.strftime('%Y-%m-%d')}.md")


# -- modes ------------------------------------------------------------------------------------------

def find_tools(args: argparse.Namespace, notes: List[str]) -> Dict[str, Optional[str]]:
    """The peers to run (None: skipped), with a note for each one missing."""
    skip = args.skip
    tools: Dict[str, Optional[str]] = {}
    for name, executable in (("llm-sunset", args.llm_sunset), ("rg", args.rg), ("semgrep", args.semgrep)):
        if name in skip:
            tools[name] = None
            continue
        tools[name] = shutil.which(executable)
        if tools[name] is None:
            notes.append(f"{name} ({executable}) not found: skipped")
    if tools["semgrep"]:
        if not args.semgrep_rules:
            notes.append("semgrep skipped: no --semgrep-rules DIR given")
            tools["semgrep"] = None
        elif not os.path.isdir(os.path.join(args.semgrep_rules, "ai")):
            notes.append(f"semgrep skipped: {args.semgrep_rules}/ai is not a folder")
            tools["semgrep"] = None
    return tools


def json_size(command: List[str], env: Dict[str, str], cwd: Optional[str] = None) -> Optional[int]:
    """The size in bytes of provider-audit's JSON report (one extra, uncounted run)."""
    out = subprocess.run([*command, "--format", "json"], capture_output=True, env=env, stdin=subprocess.DEVNULL,
                         cwd=cwd)
    return len(out.stdout) if out.returncode == 0 else None


def compare(args: argparse.Namespace) -> None:
    work = tempfile.mkdtemp(prefix="pa-bench-")
    out = Output()
    reports: List[TreeReport] = []
    try:
        env = child_env(os.path.join(work, "pycache"))
        audit = provider_audit_command(args.provider_audit)
        # provider-audit runs in an empty folder: ``python -m provider_audit`` run from a checkout would
        # import the checkout's package, whatever PYTHONPATH says (a --before build would be the current one).
        variants = [(PA, audit)] + ([(BEFORE, shlex.split(args.before))] if args.before else [])
        notes: List[str] = []
        tools = find_tools(args, notes)
        rg, semgrep, sunset = tools["rg"], tools["semgrep"], tools["llm-sunset"]
        keywords = keywords_file(work, audit, env) if rg else None
        out(f"<!-- bench.py output, {time.strftime('%Y-%m-%d %H:%M')} -->")
        out("## provider-audit benchmark\n")
        out(header(args, audit, tools))
        if args.before:
            out(f"- before: `{args.before}` ({_version([*shlex.split(args.before), '--version'])}), measured in "
                f"the same run, right after each provider-audit row")
        for note in notes:
            out(f"- {note}")
        import_ms = import_time(audit_python(audit), args.import_runs, env) if args.import_runs else None
        if import_ms is not None:
            out(f"- start-up: `python -X importtime -c \"import provider_audit.cli\"`, least of {args.import_runs}: "
                f"{import_ms:.1f} ms")
        out()
        for tree in args.trees:
            tree = os.path.abspath(tree)
            if not os.path.isdir(tree):
                raise SystemExit(f"{tree}: not a folder")
            before = _load()
            git = os.path.isdir(os.path.join(tree, ".git"))
            extra = [] if git else ["--no-git"]
            print(f"# {tree}", file=sys.stderr)
            results: List[Result] = []
            json_bytes: Dict[str, Optional[int]] = {}
            for variant, tool in variants:
                command = [*tool, tree, "--exit-zero", *extra]
                results.append(bench(NO_CACHE.replace(PA, variant, 1), [*command, "--no-cache"], args.runs, cwd=work,
                                     env=env))
                if "cached" in args.skip:
                    json_bytes[variant] = json_size([*command, "--no-cache"], env, work)
                    continue
                # The warm-up run fills the cache; the counted runs find it all there.
                cache_dir = os.path.join(work, "cache")
                cached = [*command, "--cache-dir", cache_dir]
                results.append(bench(CACHED.replace(PA, variant, 1), cached, args.runs, cwd=work, env=env))
                results.append(bench(CACHED_JSON.replace(PA, variant, 1), [*cached, "--format", "json"], args.runs,
                                     cwd=work, env=env))
                json_bytes[variant] = json_size(cached, env, work)
                shutil.rmtree(cache_dir, ignore_errors=True)
            if sunset:
                results.append(bench(SUNSET, [sunset, "scan", "--offline", "--no-fail", "--color", "never", tree],
                                     args.runs, env=env, ok_codes=(0, 1)))
            if semgrep:
                command = [semgrep, "scan", "--config", os.path.join(args.semgrep_rules, "ai"), "--metrics=off",
                           "--disable-version-check", "-j", str(args.semgrep_jobs), "--quiet", tree]
                results.append(bench(SEMGREP, command, args.semgrep_runs or args.runs, env=env, ok_codes=(0, 1)))
            rg_files = None
            if rg:
                flags = rg_flags(tree, git)
                command = [rg, "-i", "-l", "-F", "-f", keywords, *flags, tree]
                results.append(bench(RIPGREP, command, args.runs, ok_codes=(0, 1)))
                rg_files = rg_file_count(rg, tree, flags)
            report = TreeReport(tree, results, audit_summary(results[0]), rg_files, tree_bytes(tree), json_bytes,
                                (before, _load()))
            reports.append(report)
            out(table(report))
        scaled = None
        if args.scale_tree:
            scaled = scaling(args, os.path.abspath(args.scale_tree), out, work, env, audit, rg, keywords,
                             with_header=False)
        targets_text = targets(reports, scaled, import_ms)
        out("### Targets\n")
        out(targets_text)
        out(f"- load average (1 / 5 / 15 min) at the end: {_load()}\n")
        out("### Summary (median wall time; memory: peak of all processes)\n")
        table_text = summary(reports)
        notes_after = [f"start-up (import) {import_ms:.0f} ms" if import_ms is not None else "",
                       f"{scaled.tree} copied {scaled.copies} times: {scaled.bytes_ratio:.1f}x the bytes took "
                       f"{scaled.growth:.2f}x the time" if scaled else "",
                       f"{time.strftime('%Y-%m-%d')}, {machine()}; load average at the end {_load()}"]
        table_text += "\n" + "; ".join(n for n in notes_after if n) + " (`benchmarks/bench.py`, "
        table_text += (f"raw results in `benchmarks/{os.path.basename(args.results)}`)\n"
                       if args.results and args.results != "-" else "no results file)\n")
        out(table_text)
        table_text += "\n" + targets_text
        if args.profile:
            out(profile(audit_python(audit), os.path.abspath(args.trees[0]), env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.save(args.results)
    if args.update_readme:
        readme = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")
        if not update_readme(readme, table_text):
            print(f"{readme}: no speed-table markers; not updated", file=sys.stderr)


def _listed_files(tree: str) -> List[str]:
    """The tree's files: what git lists in a git tree, else a walk (no .git)."""
    if os.path.isdir(os.path.join(tree, ".git")):
        out = subprocess.run(["git", "-C", tree, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             capture_output=True, check=True).stdout
        return [os.fsdecode(p) for p in out.split(b"\0") if p]
    found = []
    for folder, dirs, names in os.walk(tree):
        dirs[:] = [d for d in dirs if d != ".git"]
        found.extend(os.path.relpath(os.path.join(folder, n), tree) for n in names)
    return found


def build_copies(tree: str, dest: str, copies: int) -> int:
    """``copies`` copies of the tree's files under dest/copy-N/; returns the bytes written."""
    files = _listed_files(tree)
    total = 0
    for index in range(copies):
        base = os.path.join(dest, f"copy-{index:02d}")
        for rel in files:
            source = os.path.join(tree, rel)
            if os.path.islink(source) or not os.path.isfile(source):
                continue
            target = os.path.join(base, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(source, target)
            total += os.path.getsize(target)
    return total


@dataclass
class Scaling:
    tree: str
    copies: int
    bytes_ratio: float  # the K-copy tree's bytes over the one-copy tree's
    growth: float  # its median time over the one-copy tree's


def scaling(args: argparse.Namespace, tree: str, out: "Output", work: str, env: Dict[str, str], audit: List[str],
            rg: Optional[str], keywords: Optional[str], with_header: bool) -> Scaling:
    """Scan ``tree``'s files copied once and ``args.scale`` times (--no-git --no-cache); report s per MB."""
    rows = []
    for copies in (1, args.scale):
        dest = os.path.join(work, f"x{copies}")
        size = build_copies(tree, dest, copies)
        print(f"# {copies}x: {size / 1e6:.1f} MB in {dest}", file=sys.stderr)
        audit_result = bench(NO_CACHE, [*audit, dest, "--exit-zero", "--no-git", "--no-cache"], args.runs, env=env)
        rg_result = None
        if rg:
            rg_result = bench("ripgrep", [rg, "-i", "-l", "-F", "-f", keywords, *rg_flags(dest, False), dest],
                              args.runs, ok_codes=(0, 1))
        rows.append((copies, size, audit_result, rg_result))
        shutil.rmtree(dest, ignore_errors=True)
    out(f"## Scaling: {os.path.basename(tree)} copied 1 and {args.scale} times (--no-git)\n")
    if with_header:
        out(header(args, audit, {"rg": rg}, " ".join(rg_flags("", False)).replace("!.git/", "'!.git/'")).rstrip("\n"))
    else:
        out(f"- load average (1 / 5 / 15 min) after: {_load()}; ripgrep with `--no-ignore` here")
    out("- provider-audit: `provider-audit TREE --exit-zero --no-git --no-cache` (every file analysed)\n")
    out("| copies | MB | provider-audit median s | s per MB | CPU s | peak PSS MB | rg median s | rg s per MB |")
    out("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for copies, size, a, r in rows:
        mb = size / 1e6
        rg_cols = f"{r.median:.3f} | {r.median / mb:.4f}" if r else "- | -"
        out(f"| {copies} | {mb:.1f} | {a.median:.3f} | {a.median / mb:.4f} | {a.cpu:.2f} | {_mb(a.pss or a.rss)} "
            f"| {rg_cols} |")
    (_, size1, a1, r1), (k, sizek, ak, rk) = rows
    growth = ak.median / a1.median
    out(f"\n- {sizek / size1:.1f}x the bytes took {growth:.2f}x the time "
        f"(s per MB: {a1.median / (size1 / 1e6):.4f} at 1x, {ak.median / (sizek / 1e6):.4f} at {k}x)")
    if r1 and rk:
        out(f"- ripgrep: {rk.median / r1.median:.2f}x the time")
    out()
    return Scaling(os.path.basename(tree), k, sizek / size1, growth)


def scale(args: argparse.Namespace) -> None:
    if len(args.trees) != 1:
        raise SystemExit("--scale without a comparison takes exactly one tree (or give --scale-tree)")
    tree = os.path.abspath(args.trees[0])
    work = tempfile.mkdtemp(prefix="pa-scale-")
    out = Output()
    try:
        env = child_env(os.path.join(work, "pycache"))
        audit = provider_audit_command(args.provider_audit)
        rg = None if "rg" in args.skip else shutil.which(args.rg)
        keywords = keywords_file(work, audit, env) if rg else None
        out(f"<!-- bench.py --scale output, {time.strftime('%Y-%m-%d %H:%M')} -->")
        scaling(args, tree, out, work, env, audit, rg, keywords, with_header=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.save(args.results, append=True)


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trees", nargs="+", help="folders to scan (git work trees or plain folders)")
    parser.add_argument("-n", "--runs", type=int, default=5, help="counted runs per tool (after one warm-up)")
    parser.add_argument("--no-cache-run", action="store_true",
                        help="measure provider-audit without its cache only (not also a repeated, cached run)")
    parser.add_argument("--provider-audit", metavar="COMMAND",
                        help="how to run provider-audit (default: provider-audit on PATH, else python -m provider_audit)")
    parser.add_argument("--before", metavar="COMMAND",
                        help="also measure this provider-audit command (an earlier build), in the same run")
    parser.add_argument("--semgrep-rules", metavar="DIR", help="a checkout of semgrep-rules (its ai/ folder is used)")
    parser.add_argument("--semgrep", default="semgrep", help="the semgrep executable")
    parser.add_argument("--semgrep-jobs", type=int, default=2, help="semgrep -j (default 2)")
    parser.add_argument("--semgrep-runs", type=int, help="counted semgrep runs (default: --runs)")
    parser.add_argument("--llm-sunset", default="llm-sunset", help="the llm-sunset executable")
    parser.add_argument("--rg", default="rg", help="the ripgrep executable")
    parser.add_argument("--skip", action="append", default=[], metavar="TOOL",
                        help=f"do not run TOOL (repeatable or comma-separated): {', '.join(SKIPPABLE)}")
    parser.add_argument("--no-semgrep", action="store_true", help="same as --skip semgrep")
    parser.add_argument("--no-rg", action="store_true", help="same as --skip rg")
    parser.add_argument("--results", metavar="FILE", default=default_results(),
                        help="also write the report to FILE (default: benchmarks/results-<today>.md; '-': stdout "
                             "only); the comparison overwrites it, --scale appends to it")
    parser.add_argument("--update-readme", action="store_true",
                        help="replace the README's speed table (between its speed-table markers) with the summary")
    parser.add_argument("--label", help="a note for the header (the trees' commits, the machine...)")
    parser.add_argument("--scale", type=int, metavar="K",
                        help="scaling: scan a tree copied once and K times (--no-git), report s per MB; alone with "
                             "one tree, only that (appended to the results file)")
    parser.add_argument("--scale-tree", metavar="TREE",
                        help="after the comparison, also the scaling test on TREE (K: --scale, default 10)")
    parser.add_argument("--profile", action="store_true",
                        help="end with profile_scan.py's breakdown of a serial cold scan of the first tree")
    parser.add_argument("--import-runs", type=int, default=10, metavar="N",
                        help="measure the start-up (import time) N times, keep the least (0: not measured)")
    args = parser.parse_args(argv)
    args.skip = {name.strip() for value in args.skip for name in value.split(",") if name.strip()}
    args.skip = {"rg" if name in ("ripgrep",) else name for name in args.skip}
    unknown = args.skip - set(SKIPPABLE)
    if unknown:
        parser.error(f"--skip: unknown tool {', '.join(sorted(unknown))} (one of {', '.join(SKIPPABLE)})")
    if args.no_semgrep:
        args.skip.add("semgrep")
    if args.no_rg:
        args.skip.add("rg")
    if args.no_cache_run:
        args.skip.add("cached")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.scale is not None and args.scale < 2:
        parser.error("--scale must be at least 2")
    if args.scale_tree:
        args.scale = args.scale or 10
        if not os.path.isdir(args.scale_tree):
            parser.error(f"--scale-tree: {args.scale_tree} is not a folder")
        compare(args)
    elif args.scale is not None:
        scale(args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
