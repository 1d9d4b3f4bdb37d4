"""The data directory: installed rules bundles, the one in use and the one before it.

Layout (``<data>`` is ``--data-dir``, ``PROVIDER_AUDIT_DATA_DIR``, else ``$XDG_DATA_HOME/provider-audit``
or ``~/.local/share/provider-audit``; ``%LOCALAPPDATA%\\provider-audit\\Data`` on Windows)::

    <data>/rules/state.json                 {"format": 1, "current": {...}, "previous": {...} | null}
    <data>/rules/<built>-<sha12>/manifest.json
    <data>/rules/<built>-<sha12>/tree/providers.yaml, events/*.yaml, lifecycle/*.yaml ...

Installing writes the bundle into a fresh staging folder, validates it there, renames the folder to
its final name and only then replaces ``state.json`` (write to a temporary file, fsync, ``os.replace``):
the switch is one atomic rename, and any failure before it (a refused bundle, a full disk) leaves the
installed rules exactly as they were. The bundle replaced becomes ``previous``; older ones are removed.
An installed bundle is checked against its manifest's checksums whenever it is used.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterator, Mapping, Optional

from provider_audit.defaults import DATA_DIR_ENV
from provider_audit.feed import FeedError

if TYPE_CHECKING:  # pragma: no cover - the bundle module loads where a bundle is read or written
    from provider_audit.feed.bundle import Bundle, Manifest

STATE_FORMAT = 1
_STALE_STAGING_S = 3600


def default_data_dir() -> Path:
    """The user's data folder for provider-audit (the style of ``scanning.cache.default_folder``)."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "provider-audit" / "Data"
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "provider-audit"


def resolve_data_dir(explicit: Optional[os.PathLike] = None) -> Path:
    """``explicit``, else ``PROVIDER_AUDIT_DATA_DIR``, else the default."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env) if env else default_data_dir()


@dataclass(frozen=True)
class Installed:
    """One installed bundle."""

    name: str
    folder: Path
    manifest: Manifest
    sha256: str  # of the bundle file as downloaded
    source: str
    installed: str  # UTC time
    validated_with: str = ""  # the code that last validated it (scanning.cache.code_salt)

    @property
    def tree(self) -> Path:
        return self.folder / "tree"

    def entry(self) -> Dict[str, str]:
        return {"name": self.name, "sha256": self.sha256, "source": self.source, "installed": self.installed,
                "validated_with": self.validated_with}


class Store:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "rules"
        self.state_file = self.root / "state.json"

    # -- reading ----------------------------------------------------------------------------------

    def _state(self) -> Dict[str, object]:
        try:
            raw = json.loads(self.state_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, RecursionError) as exc:
            raise FeedError(f"{self.state_file}: unreadable ({exc}); remove it to start again") from None
        if not isinstance(raw, dict) or raw.get("format") != STATE_FORMAT:
            raise FeedError(f"{self.state_file}: not a state file this provider-audit writes")
        return raw

    def _installed(self, entry: object) -> Optional[Installed]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            return None
        name = entry["name"]
        if "/" in name or "\\" in name or name in ("", ".", ".."):
            raise FeedError(f"{self.state_file}: bad bundle name {name!r}")
        folder = self.root / name
        from provider_audit.feed.bundle import load_manifest_file  # here: a scan with no bundle installed needs none

        manifest = load_manifest_file(folder / "manifest.json")
        text = {k: str(entry.get(k) or "") for k in ("sha256", "source", "installed", "validated_with")}
        return Installed(name, folder, manifest, text["sha256"], text["source"], text["installed"],
                         text["validated_with"])

    def current(self) -> Optional[Installed]:
        return self._installed(self._state().get("current"))

    def previous(self) -> Optional[Installed]:
        return self._installed(self._state().get("previous"))

    def verify(self, installed: Installed) -> Optional[str]:
        """Why an installed bundle's files no longer match its manifest, or None."""
        tree = installed.tree
        expected = installed.manifest.members
        try:
            present = {p.relative_to(tree).as_posix() for p in tree.rglob("*.yaml")}
        except OSError as exc:
            return f"cannot read {tree}: {exc}"
        extra = sorted(present - set(expected))
        if extra:
            return f"unexpected file {extra[0]}"
        for name, member in expected.items():
            path = tree / name
            try:
                data = path.read_bytes()
            except OSError:
                return f"{name} is missing"
            if len(data) != member.size or _sha256(data) != member.sha256:
                return f"{name} does not match its checksum"
        return None

    def read_members(self, installed: Installed) -> Dict[str, str]:
        return {name: (installed.tree / name).read_text(encoding="utf-8") for name in installed.manifest.members}

    # -- writing ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One writer at a time (an advisory lock where the platform has one)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as handle:
            try:
                import fcntl
            except ImportError:  # pragma: no cover - Windows: msvcrt locks are mandatory; go without
                yield
                return
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _write_state(self, current: Optional[Installed], previous: Optional[Installed]) -> None:
        document = {"format": STATE_FORMAT, "current": current.entry() if current else None,
                    "previous": previous.entry() if previous else None}
        fd, temporary = _tempfile().mkstemp(dir=self.root, prefix=".state-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.state_file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _fsync_folder(self.root)

    def install(self, bundle: Bundle, source: str, validate: Callable[[Path], object],
                validated_with: str = "") -> Installed:
        """Unpack, ``validate(tree)``, then switch to ``bundle`` atomically (see the module's docstring)."""
        try:
            with self._lock():
                return self._install(bundle, source, validate, validated_with)
        except OSError as exc:
            raise FeedError(f"cannot install into {self.root}: {exc.strerror or exc}; "
                            "the installed rules are unchanged") from None

    def _install(self, bundle: Bundle, source: str, validate: Callable[[Path], object],
                 validated_with: str) -> Installed:
        current, previous = self.current(), self.previous()
        stamp = bundle.manifest.built.strftime("%Y%m%dT%H%M%SZ")
        name = f"{stamp}-{bundle.digest[:12]}"
        staging = Path(_tempfile().mkdtemp(dir=self.root, prefix=".staging-"))
        try:
            _unpack(bundle, staging / "tree")
            (staging / "manifest.json").write_text(
                json.dumps(bundle.manifest.as_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
            validate(staging / "tree")
            final = self.root / name
            if final.exists():  # the same bundle again (the current or previous one): reuse it if intact
                if self.verify(Installed(name, final, bundle.manifest, bundle.digest, source, "")) is None:
                    _shutil().rmtree(staging)
                    if current is not None and current.name == name:
                        return current
                else:
                    _shutil().rmtree(final)
            if not final.exists():
                os.rename(staging, final)
        except BaseException:
            _shutil().rmtree(staging, ignore_errors=True)
            raise
        from provider_audit.feed.bundle import format_time

        installed = Installed(name, final, bundle.manifest, bundle.digest, source,
                              format_time(datetime.now(timezone.utc)), validated_with)
        keep = current if current is not None and current.name != name else previous
        if keep is not None and keep.name == name:
            keep = None
        try:
            self._write_state(installed, keep)
        except BaseException:
            if final not in (c.folder for c in (current, previous) if c is not None):
                _shutil().rmtree(final, ignore_errors=True)
            raise
        self._clean({installed.name} | ({keep.name} if keep else set()))
        return installed

    def rollback(self) -> Installed:
        """Make the previous bundle current again (and the current one previous)."""
        with self._lock():
            current, previous = self.current(), self.previous()
            if previous is None:
                raise FeedError("no previous rules bundle to go back to")
            problem = self.verify(previous)
            if problem:
                raise FeedError(f"the previous bundle is damaged ({problem}); not switching")
            self._write_state(previous, current)
            return previous

    def mark_validated(self, installed: Installed, salt: str) -> None:
        """Record that this code validated ``installed`` (best effort: a read-only data folder is fine)."""
        try:
            with self._lock():
                current, previous = self.current(), self.previous()
                if current is None or current.name != installed.name:
                    return
                updated = Installed(current.name, current.folder, current.manifest, current.sha256,
                                    current.source, current.installed, salt)
                self._write_state(updated, previous)
        except (OSError, FeedError):
            pass

    def _clean(self, keep: set) -> None:
        """Remove bundles that are neither current nor previous, and staging folders left by crashes."""
        limit = time.time() - _STALE_STAGING_S
        for path in self.root.iterdir():
            if not path.is_dir() or path.name in keep:
                continue
            try:
                if path.name.startswith(".staging-") and path.stat().st_mtime > limit:
                    continue  # perhaps another process's, still at work
                _shutil().rmtree(path)
            except OSError:
                pass


def _unpack(bundle: Bundle, tree: Path) -> None:
    """Write the members under ``tree``; names were checked by ``bundle.load``, and are checked again
    against the resolved folder, and files are created exclusively (never through a link)."""
    tree.mkdir()
    base = tree.resolve()
    for name, text in sorted(bundle.members.items()):
        target = tree / name
        if base not in target.resolve().parents:
            raise FeedError(f"member {name!r} would be written outside the data folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def describe(installed: Optional[Installed]) -> Mapping[str, object]:
    """An installed bundle for ``rules status --format json``."""
    if installed is None:
        return {}
    from provider_audit.feed.bundle import format_time

    m = installed.manifest
    return {"name": installed.name, "source": installed.source, "installed": installed.installed,
            "built": format_time(m.built), "newest": m.newest.isoformat() if m.newest else None,
            "sha256": installed.sha256, "counts": dict(m.counts), "path": str(installed.tree)}


# Installing, removing and verifying a bundle need these; every scan imports this module to find the
# rules in use, and starts faster without them.
def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _tempfile():  # -> the tempfile module
    import tempfile

    return tempfile


def _shutil():  # -> the shutil module
    import shutil

    return shutil
