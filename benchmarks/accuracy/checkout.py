#!/usr/bin/env python3
"""Check out every repository of the accuracy corpus at its pinned commit (see README.md).

This is the only part of the benchmark that uses the network, and it is run by hand, never by the
unit tests. Each repository lands in DIR/owner+name (default ~/.cache/provider-audit-corpus) as a git
work tree at the pinned commit; a repository already there at that commit is left alone.

    python benchmarks/accuracy/checkout.py                        # from https://github.com/<repo>
    python benchmarks/accuracy/checkout.py --mirror-root /work/.mirror   # from local bare mirrors
    python benchmarks/accuracy/checkout.py --only openai/tiktoken --dir /tmp/corpus

From GitHub it fetches just the pinned commit (``git fetch --depth 1 <url> <commit>``, falling back to
a full fetch if the server refuses a commit id). With ``--mirror-root`` it reads the bare repository
``MIRROR/owner+name/repo`` (or its ``repo/.git``) and writes the pinned commit's tree into a fresh
repository; blobs the mirror lacks (snapshots drop files of 4 MiB and more) are skipped and listed in
the checkout's marker file. Nothing from the checkouts is ever executed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import Entry, load_corpus  # noqa: E402  (the corpus reader shared with score.py)

DEFAULT_DIR = Path("~/.cache/provider-audit-corpus").expanduser()
GITHUB_URL = "https://github.com/{repo}.git"
MARKER = "provider-audit-corpus.json"  # inside the checkout's .git: which commit, from where, what is missing
# A fixed identity and date, so that a mirror export is the same commit every time it is made.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "provider-audit corpus", "GIT_AUTHOR_EMAIL": "corpus@invalid",
    "GIT_COMMITTER_NAME": "provider-audit corpus", "GIT_COMMITTER_EMAIL": "corpus@invalid",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
    "GIT_TERMINAL_PROMPT": "0",
}


def checkout_path(root: Path, repo: str) -> Path:
    return root / repo.replace("/", "+")


def read_marker(path: Path) -> Optional[dict]:
    try:
        return json.loads((path / ".git" / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _git(args: Sequence[str], cwd: Optional[Path] = None, git_dir: Optional[Path] = None,
         stdin: Optional[bytes] = None) -> bytes:
    cmd = ["git", "-c", "core.autocrlf=false", "-c", "advice.detachedHead=false"]
    if git_dir is not None:
        cmd.append(f"--git-dir={git_dir}")
    env = dict(os.environ, **GIT_ENV)
    done = subprocess.run([*cmd, *args], cwd=cwd, input=stdin, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if done.returncode:
        raise RuntimeError(f"git {' '.join(args[:3])}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def _fresh(dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    _git(["init", "-q", str(dest)])


def _write_marker(dest: Path, entry: Entry, source: str, missing: List[str]) -> None:
    marker = {"repo": entry.repo, "commit": entry.commit, "source": source, "missing": missing}
    (dest / ".git" / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")


def from_github(entry: Entry, dest: Path, url_template: str = GITHUB_URL) -> str:
    url = url_template.format(repo=entry.repo, slug=entry.repo.replace("/", "+"))
    _fresh(dest)
    try:
        _git(["fetch", "-q", "--depth", "1", "--no-tags", url, entry.commit], cwd=dest)
    except RuntimeError:  # a server that will not serve a commit by id: fetch the branches instead
        _git(["fetch", "-q", "--no-tags", url, "+refs/heads/*:refs/remotes/origin/*"], cwd=dest)
    _git(["checkout", "-q", "--detach", entry.commit], cwd=dest)
    _write_marker(dest, entry, url, [])
    return "fetched"


def mirror_git_dir(mirror_root: Path, repo: str) -> Path:
    base = checkout_path(mirror_root, repo) / "repo"
    return base / ".git" if (base / ".git").is_dir() else base


def _tree(git_dir: Path, commit: str) -> List[Tuple[str, str, str, str]]:
    """(mode, type, object id, path) of every entry in the commit's tree."""
    out = _git(["ls-tree", "-r", "-z", "--full-tree", commit], git_dir=git_dir)
    entries = []
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        if record:
            meta, path = record.split("\t", 1)
            mode, kind, oid = meta.split()
            entries.append((mode, kind, oid, path))
    return entries


def _safe_target(dest: Path, path: str) -> Optional[Path]:
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..", ".git") for p in parts):
        return None
    return dest.joinpath(*parts)


def from_mirror(entry: Entry, dest: Path, mirror_root: Path) -> str:
    git_dir = mirror_git_dir(mirror_root, entry.repo)
    if not git_dir.is_dir():
        raise RuntimeError(f"no mirror at {git_dir}")
    try:
        _git(["cat-file", "-e", f"{entry.commit}^{{commit}}"], git_dir=git_dir)
    except RuntimeError:
        raise RuntimeError(f"the mirror {git_dir} does not hold commit {entry.commit}") from None
    _fresh(dest)
    blobs = [(mode, oid, path) for mode, kind, oid, path in _tree(git_dir, entry.commit) if kind == "blob"]
    missing: List[str] = []
    batch = subprocess.Popen(["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert batch.stdin is not None and batch.stdout is not None
    try:
        for mode, oid, path in blobs:
            batch.stdin.write(oid.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().decode().split()
            if len(header) < 3 or header[1] != "blob":  # "<oid> missing": the snapshot dropped it
                missing.append(path)
                continue
            data = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)  # the newline after each object
            target = _safe_target(dest, path)
            if target is None:
                missing.append(path)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":  # a symlink, written as git would write it
                os.symlink(data.decode("utf-8", "surrogateescape"), target)
            else:
                target.write_bytes(data)
                if mode == "100755":
                    target.chmod(0o755)
    finally:
        batch.stdin.close()
        batch.wait()
    _git(["add", "-A", "-f", "."], cwd=dest)  # -f: keep tracked files that the repo's own .gitignore names
    _git(["commit", "-q", "--no-verify", "-m", f"{entry.repo} at {entry.commit} (exported from a mirror)"],
         cwd=dest)
    _write_marker(dest, entry, str(git_dir), missing)
    return f"exported from mirror ({len(blobs) - len(missing)} files, {len(missing)} missing)"


def up_to_date(dest: Path, entry: Entry) -> bool:
    marker = read_marker(dest)
    return bool(marker) and marker.get("commit") == entry.commit and marker.get("repo") == entry.repo


def checkout(entry: Entry, root: Path, mirror_root: Optional[Path], force: bool,
             url_template: str = GITHUB_URL) -> str:
    dest = checkout_path(root, entry.repo)
    if not force and up_to_date(dest, entry):
        return "up to date"
    if mirror_root is not None:
        return from_mirror(entry, dest, mirror_root)
    return from_github(entry, dest, url_template)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus.yaml", help="the labelled corpus")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"where checkouts go ({DEFAULT_DIR})")
    parser.add_argument("--mirror-root", type=Path, help="read bare mirrors ROOT/owner+name/repo instead of GitHub")
    parser.add_argument("--url", default=GITHUB_URL, metavar="TEMPLATE",
                        help="clone URL, with {repo} (owner/name) or {slug} (owner+name); default: GitHub")
    parser.add_argument("--only", action="append", default=[], metavar="OWNER/NAME", help="just these (repeatable)")
    parser.add_argument("--force", action="store_true", help="check out again even if up to date")
    parser.add_argument("-j", "--jobs", type=int, default=4, help="repositories at once (default 4)")
    args = parser.parse_args(argv)

    entries = load_corpus(args.corpus)
    if args.only:
        unknown = sorted(set(args.only) - {e.repo for e in entries})
        if unknown:
            parser.error(f"not in the corpus: {', '.join(unknown)}")
        entries = [e for e in entries if e.repo in args.only]
    args.dir.mkdir(parents=True, exist_ok=True)

    def one(entry: Entry) -> Tuple[Entry, str, bool]:
        try:
            return entry, checkout(entry, args.dir, args.mirror_root, args.force, args.url), True
        except (RuntimeError, OSError) as error:
            return entry, f"FAILED: {error}", False

    failures = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for entry, status, ok in pool.map(one, entries):
            failures += not ok
            print(f"{entry.repo:55} {entry.commit[:12]}  {status}", flush=True)
    print(f"{len(entries) - failures} of {len(entries)} repositories checked out in {args.dir}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
