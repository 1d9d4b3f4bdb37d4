"""``rules update``: fetch a bundle, check it, install it; and ``rules status``.

Sources: an ``http(s)://`` URL (redirects followed to http(s) only, never from https down to http; the
usual ``HTTPS_PROXY``/``NO_PROXY`` and ``SSL_CERT_FILE`` settings apply), a ``file://`` URL, or a local
path (an air-gapped mirror). Every download has a timeout (for connecting, for each read, and for the
whole transfer) and a size cap. Any failure raises ``FeedError`` (one line) before the data directory
is touched, or inside ``Store.install``, which leaves the installed rules as they were.
"""

from __future__ import annotations

import os
import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import urlparse

from provider_audit import __version__
from provider_audit.data import resources
from provider_audit.data.safe_read import InputError, read_input
from provider_audit.feed import FeedError
from provider_audit.feed import bundle as bundles
from provider_audit.feed.bundle import format_time
from provider_audit.feed.store import Installed, Store, describe

RULES_URL_ENV = "PROVIDER_AUDIT_RULES_URL"
# Published by .github/workflows/rules-bundle.yml (see examples/ci/rules-bundle.yml): a release with the
# fixed tag "rules", whose asset is replaced whenever rules/ changes on main.
DEFAULT_URL = "https://github.com/provider-audit/provider-audit/releases/download/rules/provider-audit-rules.json.gz"
DEFAULT_TIMEOUT = 60.0
MAX_DOWNLOAD = 16 * 1024 * 1024
DEFAULT_MAX_AGE_DAYS = 30
_CHUNK = 64 * 1024
_URL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[override]
        old, new = urlparse(req.full_url), urlparse(newurl)
        if new.scheme not in ("http", "https"):
            raise FeedError(f"{req.full_url}: redirect to {new.scheme or 'a relative'}: URL refused")
        if old.scheme == "https" and new.scheme == "http":
            raise FeedError(f"{req.full_url}: redirect from https to http refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def default_source(config_url: Optional[str] = None) -> str:
    return os.environ.get(RULES_URL_ENV) or config_url or DEFAULT_URL


def fetch(source: str, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_DOWNLOAD) -> bytes:
    """The bytes of ``source`` (URL or path), within ``timeout`` seconds and ``max_bytes``."""
    if not _URL_RE.match(source):
        return _read_local(Path(source), max_bytes)
    parsed = urlparse(source)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise FeedError(f"{source}: only local file:// URLs are supported")
        return _read_local(Path(urllib.request.url2pathname(parsed.path)), max_bytes)
    if parsed.scheme not in ("http", "https"):
        raise FeedError(f"{source}: unsupported URL scheme {parsed.scheme!r} (http, https, file)")
    return _download(source, timeout, max_bytes)


def _read_local(path: Path, max_bytes: int) -> bytes:
    """A local bundle, read by ``safe_read`` (a regular file: a FIFO or a device is refused at once)."""
    try:
        return read_input(path, max_bytes)
    except InputError as exc:
        raise FeedError(f"{path}: cannot read: {exc}") from None


def _download(url: str, timeout: float, max_bytes: int) -> bytes:
    opener = urllib.request.build_opener(_Redirects)
    request = urllib.request.Request(url, headers={"User-Agent": f"provider-audit/{__version__}",
                                                   "Accept": "application/octet-stream, application/json"})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            if expected is not None and expected > max_bytes:
                raise FeedError(f"{url}: {expected} bytes, more than the {max_bytes}-byte limit")
            chunks, got = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise FeedError(f"{url}: timed out after {timeout:g} s")
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                got += len(chunk)
                if got > max_bytes:
                    raise FeedError(f"{url}: more than the {max_bytes}-byte limit")
                chunks.append(chunk)
    except FeedError:
        raise
    except urllib.error.HTTPError as exc:
        raise FeedError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FeedError(f"{url}: timed out after {timeout:g} s") from None
        raise FeedError(f"{url}: cannot connect: {getattr(reason, 'strerror', None) or reason}") from None
    except (socket.timeout, TimeoutError):
        raise FeedError(f"{url}: timed out after {timeout:g} s") from None
    except (OSError, ValueError) as exc:  # a connection reset, an IncompleteRead, a malformed response
        raise FeedError(f"{url}: download failed: {type(exc).__name__}: {exc}") from None
    data = b"".join(chunks)
    if expected is not None and len(data) != expected:
        raise FeedError(f"{url}: truncated download ({len(data)} of {expected} bytes)")
    return data


@dataclass(frozen=True)
class UpdateResult:
    action: str  # "installed" or "unchanged"
    installed: Installed
    replaced: resources.RulesInUse  # the rules in use before


def update(source: str, data_dir: Path, sha256: Optional[str] = None, allow_downgrade: bool = False,
           timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_DOWNLOAD) -> UpdateResult:
    """Fetch, check and install the bundle at ``source`` (see the module's docstring)."""
    from provider_audit.feed.validate import validate_tree

    data = fetch(source, timeout, max_bytes)
    if not _URL_RE.match(source):
        source = str(Path(source).resolve())  # recorded as where the rules came from
    if sha256 is not None:
        import hashlib

        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256.lower():
            raise FeedError(f"{source}: SHA-256 {actual} differs from the expected {sha256.lower()}")
    bundle = bundles.load(data)
    resources.use_data_dir(data_dir)
    in_use = resources.rules_in_use()
    store = Store(data_dir)
    current = store.current()
    if current is not None and current.sha256 == bundle.digest and in_use.source == "bundle":
        return UpdateResult("unchanged", current, in_use)
    if bundle.manifest.key() < in_use.key() and not allow_downgrade:
        raise FeedError(f"refusing an older bundle (built {format_time(bundle.manifest.built)}, data of "
                        f"{bundle.manifest.newest}) than the rules in use ({_describe(in_use)}); "
                        "--allow-downgrade installs it anyway")
    installed = store.install(bundle, source,
                              lambda tree: validate_tree(tree, bundle.members, bundle.manifest.counts),
                              resources._code_salt())
    resources.reset()
    return UpdateResult("installed", installed, in_use)


def _describe(rules: resources.RulesInUse) -> str:
    if rules.source == "bundle" and rules.built is not None:
        return f"bundle built {format_time(rules.built)}, data of {rules.newest}"
    return f"shipped, data of {rules.newest}"


def status(data_dir: Path, today: date, max_age: int = DEFAULT_MAX_AGE_DAYS) -> Dict[str, Any]:
    """Which rules are in use and why, their date, age and counts, and the installed bundles."""
    resources.use_data_dir(data_dir)
    rules = resources.rules_in_use()
    store = Store(data_dir)
    current = previous = None
    notes = list(rules.notes) + ([rules.why] if rules.why else [])
    try:
        current, previous = store.current(), store.previous()
    except FeedError as exc:
        notes.append(str(exc))
    shipped = resources.shipped_rules(today)
    counts = rules.counts or _count(rules.path)
    age = rules.age(today)
    warnings = []
    if age is None:
        warnings.append("the rules in use carry no date")
    elif age > max_age:
        warnings.append(f"the rules in use are {age} days old (more than {max_age}); "
                        "run `provider-audit rules update`")
    return {
        "in_use": rules_json(rules, today) | {"counts": counts},
        "data_dir": str(data_dir),
        "installed": describe(current) or None,
        "previous": describe(previous) or None,
        "shipped": {"path": str(shipped.path), "newest": shipped.newest.isoformat() if shipped.newest else None},
        "notes": notes,
        "warnings": warnings,
    }


def rules_json(rules: resources.RulesInUse, today: date, max_age: Optional[int] = None) -> Dict[str, Any]:
    """The ``rules`` object of a report: which rules were used, their date and age."""
    age = rules.age(today)
    out: Dict[str, Any] = {
        "source": rules.source,
        "location": rules.location,
        "date": rules.day.isoformat() if rules.day else None,
        "age_days": age,
        "newest_item": rules.newest.isoformat() if rules.newest else None,
        "built": format_time(rules.built) if rules.built else None,
        "sha256": rules.sha256 or None,
    }
    if max_age is not None:
        out["max_age_days"] = max_age
        out["stale"] = age is None or age > max_age
    return out


def _count(path: Path) -> Dict[str, int]:
    from provider_audit.feed.bundle import count_items, parse_members, read_tree

    try:
        return count_items(parse_members(read_tree(path), fast=True))
    except FeedError:
        return {}
