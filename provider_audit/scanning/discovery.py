"""Which files a scan reads, and in what context each one sits (source, test, docs, example...)."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from provider_audit.models import Skip
from provider_audit.redact import printable

if TYPE_CHECKING:  # pragma: no cover
    import pathspec

# Folders never worth reading when walking a tree that is not a git work tree.
DEFAULT_EXCLUDED_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "bower_components", ".venv", "venv", "env", ".env",
    "virtualenv", ".virtualenv", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox",
    ".nox", "site-packages", "dist-packages", "build", "dist", ".eggs", "target", ".next", ".nuxt",
    ".svelte-kit", ".turbo", ".cache", ".gradle", ".idea", ".vscode", "vendor", "third_party",
    ".terraform", ".serverless", "coverage", ".coverage", "htmlcov",
})
# Applied everywhere, git or not: vendored and generated code is not the project's own
# (any node_modules/site-packages/.git folder; minified bundles and source maps).
_ALWAYS_DIRS = frozenset({"node_modules", "site-packages", ".git"})
_ALWAYS_SUFFIXES = (".min.js", ".min.mjs", ".map")
# A folder of those names on the way, or a part (file or folder) ending so.
_ALWAYS_RE = re.compile(r"(?:\A|/)(?:%s)/|(?:%s)(?:/|\Z)" % ("|".join(map(re.escape, sorted(_ALWAYS_DIRS))),
                                                         "|".join(map(re.escape, _ALWAYS_SUFFIXES))))

TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "__mocks__", "__fixtures__", "spec", "specs", "e2e",
                       "fixtures", "testdata", "test_data", "__snapshots__", "integration_tests"})
EXAMPLE_DIRS = frozenset({"example", "examples", "sample", "samples", "demo", "demos", "cookbook",
                          "cookbooks", "tutorial", "tutorials", "playground", "notebooks", "recipes",
                          "quickstart", "quickstarts", "starter", "templates"})
DOCS_DIRS = frozenset({"doc", "docs", "documentation", "site", "website", "blog", "guides", "mkdocs"})
DOCS_EXTENSIONS = (".md", ".mdx", ".rst", ".adoc", ".txt", ".html", ".htm", ".ipynb_checkpoints", ".mdc")
# Editor and coding-agent instruction files: prose for a tool, whatever their extension.
DOCS_NAMES = frozenset({".cursorrules", ".windsurfrules", ".clinerules", "agents.md", "claude.md", "gemini.md",
                        "copilot-instructions.md", ".aider.conf.yml"})
DOCS_AGENT_DIRS = frozenset({".cursor", ".windsurf", ".clinerules", ".claude", ".bmad-core", ".kiro", ".roo"})
CODE_EXTENSIONS = (".py", ".pyi", ".ipynb", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".vue",
                   ".svelte", ".astro", ".go", ".java", ".kt", ".kts", ".scala", ".groovy", ".rs", ".rb", ".cs",
                   ".fs", ".php")
# Code beside the main app: evaluation and benchmark harnesses, legacy copies, one-off scripts. Its own
# context ("auxiliary"), reported but not decisive unless ``decisive-contexts`` says so.
AUXILIARY_DIRS = frozenset({"eval", "evals", "evaluation", "evaluations", "benchmark", "benchmarks", "bench",
                            "legacy", "deprecated", "archive", "archived", "old", "scripts", "script"})
# Data, not configuration: results, recorded responses and dumps name models and hosts they do not call.
DATA_DIRS = frozenset({"data", "recordings", "cassettes", "outputs", "dumps", "datasets", "dataset"})
DATA_EXTENSIONS = (".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".parquet", ".txt", ".log", ".yaml", ".yml",
                   ".md", ".html", ".xml")


@dataclass(frozen=True)
class ContextRules:
    """Globs that put files in the test, example or docs context, on top of the conventions."""

    test: Tuple[str, ...] = ()
    example: Tuple[str, ...] = ()
    docs: Tuple[str, ...] = ()
    source: Tuple[str, ...] = ()  # force a path back into production, whatever its name says
    auxiliary: Tuple[str, ...] = ()
    data: Tuple[str, ...] = ()


def path_context(relpath: str, rules: ContextRules = ContextRules()) -> Optional[str]:
    """``test``, ``example``, ``docs``, ``data`` or ``auxiliary`` for files outside production code; None
    otherwise.

    The caller decides between source, config and manifest by the file's kind.
    """
    if rules.source and _glob_any(relpath, rules.source):
        return None
    for name, globs in (("test", rules.test), ("example", rules.example), ("docs", rules.docs),
                        ("data", rules.data), ("auxiliary", rules.auxiliary)):
        if globs and _glob_any(relpath, globs):
            return name
    folder, _, base = relpath.lower().rpartition("/")
    roles = _folder_roles(folder)
    if roles.test or _is_test_file(base):
        return "test"
    if roles.example or _is_example_file(base):
        return "example"
    if roles.triage:
        return "data"
    if roles.docs or base in DOCS_NAMES:
        return "docs"
    if base.endswith(DOCS_EXTENSIONS) and not _is_requirements_txt(base):
        return "docs"
    if _is_data(roles.names, base):
        return "data"
    if roles.auxiliary:
        return "auxiliary"
    return None


class _FolderRoles(NamedTuple):
    test: bool
    example: bool
    docs: bool
    triage: bool
    auxiliary: bool
    names: Tuple[str, ...]  # the project folders, ``_legacy`` read as ``legacy``


@lru_cache(maxsize=4096)
def _folder_roles(folder: str) -> _FolderRoles:
    """What a (lower-cased) folder path says about the files in it: asked once per folder, not once per
    file (a large tree has ten files for each of its folders)."""
    folders = _project_folders(folder.split("/")) if folder else []
    names = tuple(_bare(p) for p in folders)
    return _FolderRoles(
        test=any(p in TEST_DIRS for p in names),
        example=any(p in EXAMPLE_DIRS for p in folders),
        docs=any(p in DOCS_DIRS or p in DOCS_AGENT_DIRS for p in folders),
        triage="triage" in names,
        auxiliary=any(p in AUXILIARY_DIRS for p in names),
        names=names)


def helm_templates(root: Path, files: Sequence[str]) -> Tuple[str, ...]:
    """Globs for the ``templates/`` folders of Helm charts (beside a ``Chart.yaml``): deployment config
    that production runs, not example templates. ``files`` are the scanned paths; a chart whose
    ``Chart.yaml`` is not among them (a scan of changed files only) is found on disk."""
    charts = {f.rsplit("/", 1)[0] if "/" in f else "" for f in files if f.rsplit("/", 1)[-1] == "Chart.yaml"}
    for f in files:
        parts = f.split("/")
        if "templates" in parts[:-1]:
            chart = "/".join(parts[:parts.index("templates")])
            if chart not in charts and (root / chart / "Chart.yaml").is_file():
                charts.add(chart)
    return tuple(sorted(f"{chart}/templates/" if chart else "/templates/" for chart in charts))


def _bare(folder: str) -> str:
    """``_legacy`` and ``.triage`` are ``legacy`` and ``triage``."""
    return folder.lstrip("._") if not folder.startswith("__") else folder


def _is_example_file(base: str) -> bool:
    """``example.py``, ``.env.example``, ``config.sample.yaml``, ``api_providers_example.yaml``, ``.env.dist``,
    ``.env.template``: for a file that is not code, a word ``example`` or ``sample`` after the first, or a
    last word ``dist``/``tmpl``, makes it a template to copy (``prompt_example.py`` stays code)."""
    if base.startswith(("example", "demo_", "sample_")):
        return True
    if base.endswith(CODE_EXTENSIONS):
        return False
    words = [w for w in base.replace("-", ".").replace("_", ".").split(".") if w]
    if len(words) < 2:
        return False
    if any(w in ("example", "examples", "sample") for w in words[1:]) or words[-1] in ("dist", "tmpl"):
        return True
    return words[0] == "env" and "template" in words  # .env.template (config_template.yml may be embedded)


def _is_data(folders: Sequence[str], base: str) -> bool:
    """Results, recorded responses, triage notes and dumps: data files (not code) in such folders."""
    if not base.endswith(DATA_EXTENSIONS):
        return False
    return any(p in DATA_DIRS or "results" in p for p in folders) or base.endswith((".jsonl", ".ndjson"))


JVM_SOURCE_ROOTS = frozenset({"java", "kotlin", "scala", "groovy"})


def _project_folders(folders: List[str]) -> List[str]:
    """Folders that say something about a file's role: below ``src/main/java/`` (and kin) they are a
    package name, and ``com/example/demo`` (Spring Initializr's default) is production code."""
    for i in range(len(folders) - 2):
        if folders[i] == "src" and folders[i + 2] in JVM_SOURCE_ROOTS:
            return folders[: i + 3]
    return folders


def _is_test_file(base: str) -> bool:
    stem = base.split(".")[0]
    return (stem.startswith("test_") or stem.endswith(("_test", "_tests", "_spec")) or stem == "conftest"
            or ".test." in base or ".spec." in base or stem in ("test", "tests"))


def _is_requirements_txt(base: str) -> bool:
    return base.endswith(".txt") and ("requirements" in base or "constraints" in base)


def _glob_any(relpath: str, globs: Sequence[str]) -> bool:
    return _spec(tuple(globs)).match_file(relpath)


def glob_match(relpath: str, pattern: str) -> bool:
    """Whether ``relpath`` matches one gitignore pattern (see ``_spec``)."""
    return _spec((pattern,)).match_file(relpath)


@lru_cache(maxsize=256)
def _spec(patterns: Tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    """Patterns with .gitignore's semantics, as git itself applies them (pathspec's ``GitIgnoreSpec``):
    a pattern with a slash before its end is anchored at the scan root (``src/*.py`` does not match
    ``src/a/b.py``; ``/docs`` matches only the top-level folder), a bare name matches at any depth,
    ``dir/`` matches everything below a folder, ``**`` spans folders, ``!`` re-includes.

    pathspec is imported here, on first use: a scan without globs (most) does not pay for it at start-up."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(p.strip() for p in patterns)


@dataclass
class Discovery:
    files: List[str] = field(default_factory=list)  # relative POSIX paths, sorted
    skips: List[Skip] = field(default_factory=list)
    used_git: bool = False
    stats: Dict[str, os.stat_result] = field(default_factory=dict)  # each file's lstat, taken once


def discover(root: Path, excludes: Sequence[str] = (), use_git: bool = True,
             found: Optional[Callable[[str, int], None]] = None) -> Discovery:
    """The files below ``root`` a scan should read, relative to it.

    In a git work tree: tracked files plus untracked ones git does not ignore. Elsewhere: a walk that
    skips well-known vendored, virtualenv and build folders. Symlinks are never followed.
    ``found``: told each file's path and size as it is found (the scan feeds its workers with it).
    """
    result = Discovery()
    listed = _git_files(root, result.skips) if use_git else None
    if listed is not None:
        result.used_git = True
        candidates: Iterator[str] = iter(listed)
    else:
        candidates = _walk(root, result.skips)
    base = str(root)
    prefix = base if base.endswith("/") else base + "/"  # os.path.join(base, rel), rel being relative
    links: Dict[str, Optional[str]] = {}  # folder -> the first linked folder on its way (git mode: each checked once)
    noted = set()
    for rel in candidates:
        if _always_excluded(rel) or (excludes and _glob_any(rel, excludes)):
            continue
        if listed is not None and "/" in rel:
            # git lists what it tracks, and a tracked folder may since have been replaced by a link
            # (``rm -rf sub && ln -s /elsewhere sub``): every folder on the way must be a real one.
            linked = _linked_folder(base, rel, links)
            if linked is not None:
                if linked not in noted:
                    noted.add(linked)
                    _note_symlink(root, linked, root / linked, result.skips)
                continue
        try:
            info = os.lstat(prefix + rel)  # one call per path: trees are large
        except FileNotFoundError:
            continue  # listed by git but deleted in the work tree
        except OSError as exc:
            result.skips.append(Skip(printable(rel), f"cannot stat: {exc.strerror or exc}"))
            continue
        if stat.S_ISLNK(info.st_mode):
            _note_symlink(root, rel, root / rel, result.skips)
        elif not stat.S_ISDIR(info.st_mode):  # a folder listed by git is a submodule or nested repository
            result.files.append(rel)
            result.stats[rel] = info
            if found is not None:
                found(rel, info.st_size)
    result.files.sort()
    return result


def _linked_folder(base: str, rel: str, links: Dict[str, Optional[str]]) -> Optional[str]:
    """The first folder on the way to ``rel`` that is a symbolic link, or None. ``links`` caches the answer
    for each folder, so that each folder costs one lstat (none below a link) and a file one look-up."""
    todo = []  # the folders on the way not asked about yet, deepest first
    folder = rel.rpartition("/")[0]
    while folder and folder not in links:
        todo.append(folder)
        folder = folder.rpartition("/")[0]
    linked = links[folder] if folder else None
    for folder in reversed(todo):
        if linked is None:
            try:
                linked = folder if stat.S_ISLNK(os.lstat(os.path.join(base, folder)).st_mode) else None
            except OSError:
                linked = None
        links[folder] = linked
    return linked


def _note_symlink(root: Path, rel: str, full: Path, skips: List[Skip]) -> None:
    """Links are not followed: the target is scanned where it lives if it is inside the root."""
    rel = printable(rel)
    try:
        target = full.resolve(strict=True)
    except (OSError, RuntimeError):
        skips.append(Skip(rel, "symbolic link that is broken or loops; not followed"))
        return
    folder = full.parent.resolve()
    if target.is_dir() and (target == folder or target in folder.parents):
        skips.append(Skip(rel, "symbolic link to a folder that contains it (a loop); not followed"))
        return
    try:
        target.relative_to(root.resolve())
    except ValueError:
        skips.append(Skip(rel, "symbolic link pointing outside the scanned folder; not followed"))
        return
    if target.is_dir():
        skips.append(Skip(rel, "symbolic link to a folder; not followed"))


def _git_files(root: Path, skips: List[Skip]) -> Optional[List[str]]:
    """Tracked and untracked-but-not-ignored files, or None when ``root`` is not in a git work tree.

    When git cannot list a work tree (not installed, or it refuses the repository: "dubious ownership"
    when the checkout belongs to another user, as in many CI containers), the folder is walked, and
    ``skips`` says so: the walk does not apply .gitignore, so ignored files (a local .env, generated
    code) are read and can change the verdict. Folders git could not open are listed too."""
    # fsmonitor and hooks could run commands from a hostile repository's config: switch them off.
    command = ["git", "-c", "core.fsmonitor=false", "-c", "core.quotepath=off", "-C", str(root),
               "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."]
    import subprocess  # here: a scan without git never needs it

    try:
        proc = subprocess.run(command, capture_output=True, timeout=120, check=False,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError) as exc:
        if any((folder / ".git").exists() for folder in (root, *root.parents)):
            _note_walked(skips, f"git could not be run ({type(exc).__name__})")
        return None
    messages = [printable(line.strip()) for line in os.fsdecode(proc.stderr).splitlines() if line.strip()]
    if proc.returncode != 0:
        if not any("not a git repository" in line for line in messages):
            _note_walked(skips, next((m for m in messages if m.startswith(("fatal", "error"))),
                                     messages[0] if messages else f"exit status {proc.returncode}")[:200])
        return None
    for line in messages:  # warning: could not open directory 'sub/': Permission denied
        unreadable = re.fullmatch(r"warning: could not open directory '(.*)/': (.*)", line)
        if unreadable:
            skips.append(Skip(unreadable.group(1), f"cannot read folder: {unreadable.group(2)}"))
    files = []
    seen = set()
    for raw in proc.stdout.split(b"\0"):
        if not raw:
            continue
        rel = os.fsdecode(raw)
        if rel in seen:  # ls-files repeats paths with merge conflicts
            continue
        seen.add(rel)
        files.append(rel)
    return files


def _note_walked(skips: List[Skip], why: str) -> None:
    skips.append(Skip(".", f"git could not list the files ({why}); the folder was walked instead, without "
                           ".gitignore, so ignored files were read: fix git access (e.g. safe.directory) or "
                           "pass --no-git to make this the intent"))


def _walk(root: Path, skips: List[Skip]) -> Iterator[str]:
    def on_error(exc: OSError) -> None:
        rel = _relative(root, Path(exc.filename)) if exc.filename else "."
        skips.append(Skip(printable(rel), f"cannot read folder: {exc.strerror or exc}"))

    top = str(root)
    for folder, dirs, names in os.walk(root, onerror=on_error, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in DEFAULT_EXCLUDED_DIRS and not d.endswith(".egg-info"))
        base = Path(folder)
        # The folder relative to the root, as a POSIX prefix (string work: no Path per file).
        inner = folder[len(top):].lstrip(os.sep) if folder.startswith(top) else _relative(root, base)
        prefix = inner.replace(os.sep, "/") + "/" if inner and inner != "." else ""
        for name in sorted(names):
            yield prefix + name
        for name in dirs:
            if (base / name).is_symlink():
                _note_symlink(root, _relative(root, base / name), base / name, skips)


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _always_excluded(rel: str) -> bool:
    """Vendored or generated: below a node_modules/site-packages/.git folder, or a minified bundle."""
    if rel in _ALWAYS_DIRS:
        return True
    return _ALWAYS_RE.search(rel) is not None
