"""Mutation fuzzer for every parser and detector, run by hand:

    python tests/hostile/fuzz.py --count 100000 [--seed 1] [--jobs 2] [--save DIR]

Each input is a file written under a manifest or source file name and read the way a scan reads it
(``provider_audit.scanning.scan.analyse_file``: read, decode, prefilter, then the extractor or detector), so
every parser and detector sees arbitrary bytes. ``analyse_file`` is ``scan_file`` without its safety
net: an exception here is a crash, which a scan would turn into an "internal error" skip (``scan_file``
must never raise; a sample of inputs also goes through a whole ``scan`` of a tree holding a good
``app.py`` beside the input, to check that no evidence of the good file is lost).

Inputs are built from seeds (the hostile corpus of ``make_corpus.py`` and every file under
``tests/fixtures``) by one of the mutation classes in ``CLASSES``. The report counts, per class,
inputs tried, crashes (with the first traceback of each distinct crash site: exception type and the
innermost provider_audit frame), inputs slower than ``--slow`` seconds, and data lost. ``--save DIR``
keeps each crashing and slow input to replay with ``--replay FILE --name NAME``.
"""

from __future__ import annotations

import argparse
import base64
import codecs
import json
import os
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import make_corpus  # noqa: E402

os.environ.setdefault("PROVIDER_AUDIT_STRICT", "1")  # strict mode: detector fallbacks re-raise  # noqa: E402
from provider_audit.scanning import analysis as scan_module  # noqa: E402
from provider_audit.data.catalog import load_catalog  # noqa: E402
from provider_audit.extractors import all_extractors  # noqa: E402
from provider_audit.scanning.analysis import ScanOptions, file_context, handler_for  # noqa: E402
from provider_audit.scanning.scan import scan  # noqa: E402

# Source and config file names, one per detector kind (language detectors added later are found
# by ``target_names`` too: any extension that maps to a detector of its own).
SOURCE_NAMES = ("app.py", "stub.pyi", "index.js", "app.ts", "view.tsx", "comp.vue", "page.svelte", "site.astro",
                "main.go", "App.java", "App.kt", "build.scala", "app.rb", "index.php", "Program.cs", "main.rs",
                "main.swift", "analysis.ipynb", ".env", ".env.local", "config.yaml", "settings.json", "app.toml",
                "Dockerfile", "docker-compose.yml", "setup.ini", "main.tf", "README.md", "notes.txt", "web.xml",
                "gradle.properties", ".envrc", "Makefile", "workflow.yml")
KEYWORDS = ("openai", "anthropic", "api.openai.com", "OPENAI_API_KEY", "gpt-4o", "claude-3-5-sonnet-20240620",
            "langchain", "litellm", "google.genai", "boto3", "bedrock-runtime", "@anthropic-ai/sdk",
            "github.com/sashabaranov/go-openai", "com.openai:openai-java", "Azure.AI.OpenAI", "ruby-openai")
SPECIAL = ["\x00", "\ufeff", "\u2028", "\r", "\r\n", "\t", "\\", '"', "'", "`", "${", "{", "}", "[", "]", "(", ")", "<",
           ">", "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;", "]]>", "<![CDATA[", "*/", "/*", "//", "#", "--", ":", "=", "==",
           ",", ";", "&", "*", "!", "|", "-", "@", "%", "\udcff", "\ud800", "\uffff", "\U0001f600", "é", "\x85", "\x1b[2J",
           "- ", "? ", "&x ", "*x", "!!python/object:os.system", "<<: *x", "---\n", "...\n", '"""', "'''", 'f"{', "r'",
           "\\u0000", "\\ud800", "1e99999", "-0", "0x", "NaN", "Infinity", "true", "null", "~", ".inf", "2025-13-45",
           "1979-05-27T07:32:00Z", "[[", "]]", "[a.b]", "a.b.c = 1", "==1.0", ">=", "@ file:///", "git+https://u:p@h/x",
           "#egg=openai", "npm:openai@4", "link:", "workspace:*", "${project.version}", "$(Version)", "~>", "(>= 1)"]


def target_names() -> List[str]:
    names = []
    for extractor in all_extractors():
        for pattern in extractor.filenames:
            name = pattern.replace("*", "x")
            if extractor.matches(name):
                names.append(name)
            elif extractor.matches("requirements.txt") and name.endswith(".txt"):
                names.append("requirements.txt")
    names.extend(SOURCE_NAMES)
    from provider_audit.detectors import LANGUAGE_DETECTORS
    names.extend(f"source{extension}" for extension in sorted(LANGUAGE_DETECTORS))
    return sorted(set(names))


def load_seeds() -> List[Tuple[str, bytes]]:
    seeds = [(case.name, case.data) for case in make_corpus.small_cases()]
    for path in sorted((REPO / "tests" / "fixtures").rglob("*")):
        if path.is_file() and path.stat().st_size < 200_000:
            seeds.append((path.name, path.read_bytes()))
    return seeds


# -- mutation classes ----------------------------------------------------------------------------

def _pick(rng: random.Random, seeds) -> bytes:
    return rng.choice(seeds)[1]


def m_byte_flip(rng, seeds, name):
    data = bytearray(_pick(rng, seeds) or b"openai")
    for _ in range(rng.randint(1, 12)):
        i = rng.randrange(len(data))
        if rng.random() < 0.5:
            data[i] ^= 1 << rng.randrange(8)
        else:
            data[i] = rng.randrange(256)
    return bytes(data)


def m_truncate(rng, seeds, name):
    data = _pick(rng, seeds)
    if not data:
        return data
    cut = rng.randrange(len(data))
    return data[:cut] if rng.random() < 0.8 else data[cut:]


def m_splice(rng, seeds, name):
    a, b = _pick(rng, seeds), _pick(rng, seeds)
    i, j = rng.randint(0, len(a)), rng.randint(0, len(b))
    return a[:i] + b[j:] if rng.random() < 0.5 else a[:i] + b[:j] + a[i:]


def m_insert_special(rng, seeds, name):
    text = _pick(rng, seeds).decode("utf-8", "replace")
    for _ in range(rng.randint(1, 8)):
        i = rng.randint(0, len(text))
        token = rng.choice(SPECIAL) if rng.random() < 0.8 else rng.choice(KEYWORDS)
        text = text[:i] + token + text[i:]
    return text.encode("utf-8", "surrogatepass")


def m_delete_lines(rng, seeds, name):
    lines = _pick(rng, seeds).split(b"\n")
    for _ in range(rng.randint(1, max(1, len(lines) // 3))):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    if rng.random() < 0.5 and len(lines) > 1:  # and shuffle a few
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def m_amplify(rng, seeds, name):
    """A segment repeated into a long line or deep nesting (bounded: about 200 KB at most)."""
    data = _pick(rng, seeds)
    choice = rng.random()
    if choice < 0.4 and data:
        i = rng.randrange(len(data))
        piece = data[i:i + rng.randint(1, 40)]
        return data[:i] + piece * rng.randint(100, 5000) + data[i:]
    if choice < 0.7:
        opener, closer = rng.choice([(b"[", b"]"), (b"{", b"}"), (b"(", b")"), (b"<a>", b"</a>"), (b"- ", b""),
                                     (b'{"a":', b"}"), (b"a = [", b"]"), (b"${", b"}"), (b"`${", b"}`")])
        depth = rng.randint(50, 20000)
        return rng.choice(KEYWORDS).encode() + b"\n" + opener * depth + closer * depth * rng.randint(0, 1)
    token = rng.choice(SPECIAL + list(KEYWORDS)).encode("utf-8", "surrogatepass")
    return data[: rng.randint(0, len(data))] + token * rng.randint(100, 20000)


def m_reencode(rng, seeds, name):
    text = _pick(rng, seeds).decode("utf-8", "replace")
    encoding = rng.choice(["utf-16-le", "utf-16-be", "utf-16", "utf-32", "latin-1", "cp1252", "utf-8-sig", "utf-7"])
    data = text.encode(encoding, "replace")
    if encoding in ("utf-16-le", "utf-16-be") and rng.random() < 0.7:
        data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    if rng.random() < 0.3 and data:
        data = data[: rng.randrange(len(data))]
    return data


def m_random_bytes(rng, seeds, name):
    size = rng.choice([0, 1, 2, 8, 64, 1024, 8192])
    head = rng.choice([b"", b"openai ", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04"])
    return head + bytes(rng.randrange(256) for _ in range(size))


def _value(rng, depth):
    if depth > 4 or rng.random() < 0.35:
        return rng.choice([rng.choice(KEYWORDS), rng.choice(SPECIAL), rng.randint(-10**20, 10**20), rng.random(), True,
                           None, "", "^4.0.0", "==1.2.3", ">=1,<2", "1.0.0", "npm:openai@^4", "link:../x"])
    if rng.random() < 0.5:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["dependencies", "devDependencies", "packages", "default", "develop", "lockfileVersion", "importers",
            "version", "name", "project", "tool", "poetry", "require", "require-dev", "specifiers", "optional",
            "model", "base_url", "resolved", "integrity", "metadata", "source", "dependency-groups", "workspace"]
    return {rng.choice(keys + list(KEYWORDS)): _value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def _toml(value, rng) -> str:
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) and rng.random() < 0.6:
                lines.append(f"[{json.dumps(str(key))}]")
                lines.append(_toml(item, rng))
            else:
                lines.append(f"{json.dumps(str(key))} = {json.dumps(item, default=str)}")
    return "\n".join(lines)


def m_random_structure(rng, seeds, name):
    """Random documents in the format the name suggests (or another): JSON, YAML, TOML, XML."""
    value = _value(rng, 0)
    if not isinstance(value, dict):
        value = {"dependencies": value}
    form = rng.choice(["json", "yaml", "toml", "xml", "lines"])
    if form == "json":
        return json.dumps(value, default=str).encode("utf-8", "surrogatepass")
    if form == "yaml":
        import yaml
        try:
            return yaml.safe_dump(value, allow_unicode=True).encode("utf-8", "surrogatepass")
        except Exception:  # noqa: BLE001 - unrepresentable value: fall back to JSON (also YAML)
            return json.dumps(value, default=str).encode("utf-8", "surrogatepass")
    if form == "toml":
        return _toml(value, rng).encode("utf-8", "surrogatepass")
    if form == "xml":
        def xml(v, tag="project"):
            if isinstance(v, dict):
                return f"<{tag}>" + "".join(xml(i, str(k).replace(" ", "_")[:20] or "a") for k, i in v.items()) + f"</{tag}>"
            if isinstance(v, list):
                return "".join(xml(i, tag) for i in v)
            return f"<{tag}>{v}</{tag}>"
        root = rng.choice(["project", "Project", "packages", "settings"])
        return xml(value, root).encode("utf-8", "surrogatepass")
    words = [str(_value(rng, 5)) for _ in range(rng.randint(1, 30))]
    return "\n".join(" ".join(words[i:i + 3]) for i in range(0, len(words), 3)).encode("utf-8", "surrogatepass")


def m_misnamed(rng, seeds, name):
    """A whole seed of another kind (the name is chosen independently)."""
    return _pick(rng, seeds)


CLASSES: Dict[str, Callable] = {
    "byte-flip": m_byte_flip, "truncate": m_truncate, "splice": m_splice, "insert-special": m_insert_special,
    "delete-lines": m_delete_lines, "amplify": m_amplify, "re-encode": m_reencode, "random-bytes": m_random_bytes,
    "random-structure": m_random_structure, "misnamed": m_misnamed,
}


# -- running ---------------------------------------------------------------------------------------

class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def crash_site(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "provider_audit" in f.filename]
    where = ours[-1] if ours else (frames[-1] if frames else None)
    place = f"{Path(where.filename).name}:{where.lineno} ({where.name})" if where else "?"
    return f"{type(exc).__name__} at {place}"


def run_chunk(args: Tuple[int, int, float, Optional[str], int]) -> dict:
    seed, count, slow, save, tree_every = args
    rng = random.Random(seed)
    seeds = load_seeds()
    names = target_names()
    catalog = load_catalog()
    options = ScanOptions(max_file_size=5 * 1024 * 1024, use_git=False)
    analyse = getattr(scan_module, "analyse_file", None) or scan_module.scan_file
    stats: Dict[str, Counter] = defaultdict(Counter)
    sites: Dict[str, dict] = {}
    slow_inputs: List[dict] = []
    signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory(prefix="pa-fuzz-") as tmp:
        work = Path(tmp) / "one"
        tree = Path(tmp) / "tree"
        work.mkdir()
        make_corpus.write(tree, [])  # the good app.py
        good = {(e.kind, e.detail) for e in scan(tree, options=options, catalog=catalog).evidence}
        for number in range(count):
            cls = rng.choice(list(CLASSES))
            name = rng.choice(names)
            try:
                data = CLASSES[cls](rng, seeds, name)
            except Exception:  # noqa: BLE001 - a generator bug is not a scanner crash
                stats[cls]["generator-errors"] += 1
                continue
            stats[cls]["tried"] += 1
            rel = f"d/{name}"
            (work / "d").mkdir(exist_ok=True)
            (work / rel).write_bytes(data)
            handler = handler_for(rel)
            context = file_context(rel, handler, options.contexts)
            started = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, 60)
            try:
                analyse(work, rel, handler, context, catalog, options)
                if scan_module.scan_file is not analyse:  # the guarded path must hold too
                    scan_module.scan_file(work, rel, handler, context, catalog, options)
            except Timeout:
                stats[cls]["hangs"] += 1
                _keep(save, "hang", seed, number, name, data)
            except Exception as exc:  # noqa: BLE001 - that is what we are looking for
                stats[cls]["crashes"] += 1
                site = crash_site(exc)
                stats[cls]["site:" + site] += 1
                if site not in sites:
                    sites[site] = {"class": cls, "name": name, "traceback": traceback.format_exc(),
                                   "input": base64.b64encode(data[:4000]).decode(), "size": len(data)}
                _keep(save, "crash", seed, number, name, data)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - started
            if elapsed > slow:
                stats[cls]["slow"] += 1
                slow_inputs.append({"class": cls, "name": name, "seconds": round(elapsed, 2), "size": len(data)})
                _keep(save, "slow", seed, number, name, data)
            if tree_every and number % tree_every == 0:
                stats[cls]["tree-scans"] += 1
                (tree / "d").mkdir(exist_ok=True)
                target = tree / rel
                target.write_bytes(data)
                try:
                    found = {(e.kind, e.detail) for e in scan(tree, options=options, catalog=catalog).evidence
                             if e.path == make_corpus.GOOD_PATH}
                    if not good <= found:
                        stats[cls]["data-lost"] += 1
                except Exception:  # noqa: BLE001
                    stats[cls]["data-lost"] += 1
                    stats[cls]["scan-raised"] += 1
                target.unlink()
    return {"stats": {k: dict(v) for k, v in stats.items()}, "sites": sites, "slow": slow_inputs}


def _keep(save: Optional[str], kind: str, seed: int, number: int, name: str, data: bytes) -> None:
    if save:
        folder = Path(save) / kind
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{seed}-{number}--{name}").write_bytes(data)


def replay(path: Path, name: str) -> int:
    """Run one saved input under ``name`` and print what happens (with the traceback)."""
    catalog = load_catalog()
    options = ScanOptions(max_file_size=50 * 1024 * 1024, use_git=False)
    with tempfile.TemporaryDirectory() as tmp:
        rel = f"d/{name}"
        (Path(tmp) / "d").mkdir()
        (Path(tmp) / rel).write_bytes(path.read_bytes())
        handler = handler_for(rel)
        started = time.perf_counter()
        analyse = getattr(scan_module, "analyse_file", None) or scan_module.scan_file
        report = analyse(Path(tmp), rel, handler, file_context(rel, handler, options.contexts), catalog, options)
        print(f"{time.perf_counter() - started:.2f}s, {len(report.evidence)} evidence, skips: "
              f"{[s.reason for s in report.skips]}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="inputs to try (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--slow", type=float, default=2.0, help="seconds above which an input is slow")
    parser.add_argument("--tree-every", type=int, default=20, help="also scan a whole tree every N inputs (0: never)")
    parser.add_argument("--save", help="folder to keep crashing, hanging and slow inputs in")
    parser.add_argument("--json", help="write the full result (tracebacks too) to this file")
    parser.add_argument("--replay", type=Path, help="run one saved input (with --name)")
    parser.add_argument("--name", default="package.json", help="file name for --replay")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args.replay, args.name)
    jobs = max(1, args.jobs)
    per = [args.count // jobs + (1 if i < args.count % jobs else 0) for i in range(jobs)]
    chunks = [(args.seed * 1000 + i, n, args.slow, args.save, args.tree_every) for i, n in enumerate(per) if n]
    started = time.time()
    if jobs == 1:
        results = [run_chunk(c) for c in chunks]
    else:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(run_chunk, chunks)
    totals: Dict[str, Counter] = defaultdict(Counter)
    sites: Dict[str, dict] = {}
    slow: List[dict] = []
    for result in results:
        for cls, counts in result["stats"].items():
            totals[cls].update(counts)
        for site, info in result["sites"].items():
            sites.setdefault(site, info)
        slow.extend(result["slow"])
    print(f"{sum(c['tried'] for c in totals.values())} inputs in {time.time() - started:.0f} s "
          f"({len(target_names())} file names, {len(load_seeds())} seeds)\n")
    print(f"| {'input class':<17} | {'tried':>7} | {'crashes':>7} | {'hangs':>5} | {'slow':>4} | "
          f"{'tree scans':>10} | {'data lost':>9} |")
    print(f"|{'-' * 19}|{'-' * 9}|{'-' * 9}|{'-' * 7}|{'-' * 6}|{'-' * 12}|{'-' * 11}|")
    for cls in CLASSES:
        c = totals.get(cls, Counter())
        print(f"| {cls:<17} | {c['tried']:>7} | {c['crashes']:>7} | {c['hangs']:>5} | {c['slow']:>4} | "
              f"{c['tree-scans']:>10} | {c['data-lost']:>9} |")
    every = sum(totals.values(), Counter())
    print(f"| {'all':<17} | {every['tried']:>7} | {every['crashes']:>7} | {every['hangs']:>5} | {every['slow']:>4} | "
          f"{every['tree-scans']:>10} | {every['data-lost']:>9} |")
    if sites:
        print(f"\n{len(sites)} distinct crash sites:")
        for site, info in sorted(sites.items()):
            count = sum(totals[c].get("site:" + site, 0) for c in totals)
            print(f"\n--- {site}: {count} inputs; first: class {info['class']}, name {info['name']}, "
                  f"{info['size']} bytes\n{info['traceback']}")
    if slow:
        print(f"\n{len(slow)} slow inputs (> {args.slow} s), slowest first:")
        for item in sorted(slow, key=lambda s: -s["seconds"])[:20]:
            print(f"  {item['seconds']:6.2f} s  {item['class']:<17} {item['name']:<24} {item['size']} bytes")
    if args.json:
        Path(args.json).write_text(json.dumps({"totals": {k: dict(v) for k, v in totals.items()}, "sites": sites,
                                               "slow": slow}, indent=1))
    return 1 if every["crashes"] or every["hangs"] or every["data-lost"] else 0


if __name__ == "__main__":
    sys.exit(main())
