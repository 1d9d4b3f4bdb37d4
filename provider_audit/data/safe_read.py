"""The one way the tool reads a file that is its own input: rules, configuration, baselines, the catalog.

Such a file may be named by the scanned repository (its ``pyproject.toml``, the ``extra-rules`` that
file lists) or be special (``--rules /dev/zero``, a FIFO), so every read here:

* opens without blocking (``O_NONBLOCK``: a FIFO with no writer does not hang the tool) and requires a
  regular file (a FIFO, a device or a folder is refused before a byte is read);
* reads at most ``limit`` bytes, and only as many as the file holds (nothing is reserved up front);
* for a path that comes from the scanned repository, does not follow a link in its last component
  (``follow=False``) and, with ``within``, checks that the path stays inside the repository: lexically
  (no ``..`` or absolute path out of it) and on disk, every component below the repository root opened
  with ``O_NOFOLLOW`` relative to its parent, so a linked folder in the middle is refused too.

Paths the person running the tool gave (``--rules``, ``--config``, ``--baseline``) are theirs to choose:
links are followed, the other checks stay. ``scanning/analysis.read_bytes`` reads scanned files the same way.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import List, Union

MAX_INPUT_BYTES = 8 << 20  # rules, configuration, the catalog: the shipped ones are well under 1 MiB
MAX_BASELINE_BYTES = 64 << 20  # a baseline lists every finding of a large tree

_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_TYPES = {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}


class InputError(Exception):
    """Why an input file was not read, in a few words (the caller names the file and its role)."""


@dataclass(frozen=True)
class Confined:
    """A path named by the scanned repository's configuration, that must stay inside ``root``."""

    path: Path
    root: Path

    def __fspath__(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return str(self.path)


InputPath = Union[str, "os.PathLike[str]", Confined]


def read_input(path: InputPath, limit: int = MAX_INPUT_BYTES, follow: bool = True) -> bytes:
    """The bytes of ``path`` (see the module's docstring); ``InputError`` says why not."""
    if isinstance(path, Confined):
        fd = _open_within(path.root, path.path)
    else:
        fd = _open(os.fspath(path), follow)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _TYPES.get(stat.S_IFMT(info.st_mode), "a special file")
            raise InputError(f"not a regular file ({kind}); not read")
        if info.st_size > limit:
            raise InputError(f"larger than {_size(limit)} ({info.st_size} bytes); not read")
        chunks: List[bytes] = []
        left = min(info.st_size, limit) + 1  # one byte more than stat said: a file growing meanwhile is seen
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise InputError(f"larger than {_size(limit)}; not read")
    return data


def is_link(path: InputPath) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(os.fspath(path)).st_mode)
    except OSError:
        return False


def confine(root: Path, raw: str, base: Path) -> Confined:
    """``raw`` (relative to ``base``, a folder inside ``root``) as a path that must stay inside ``root``;
    ``InputError`` when it lexically leaves it (``..``, an absolute path elsewhere)."""
    joined = posixpath.normpath(posixpath.join(base.as_posix(), raw.replace(os.sep, "/")))
    top = posixpath.normpath(root.as_posix())
    if joined != top and not joined.startswith(top.rstrip("/") + "/"):
        raise InputError("outside the repository; not read")
    return Confined(Path(joined), root)


def list_folder(folder: Confined, suffix: str) -> List[Confined]:
    """The entries of a confined folder whose names end with ``suffix``, sorted (each still confined)."""
    fd = _open_within(folder.root, folder.path, directory=True)
    try:
        names = sorted(n for n in os.listdir(fd) if n.endswith(suffix)) if os.listdir in os.supports_fd \
            else sorted(n for n in os.listdir(folder.path) if n.endswith(suffix))
    except OSError as exc:
        raise InputError(f"cannot read folder: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    return [Confined(folder.path / name, folder.root) for name in names]


def is_folder(path: InputPath) -> bool:
    """Whether ``path`` is a folder (for a confined path: reached without following any link)."""
    if not isinstance(path, Confined):
        return os.path.isdir(os.fspath(path))
    try:
        os.close(_open_within(path.root, path.path, directory=True))
    except InputError:
        return False
    return True


def _open(path: str, follow: bool) -> int:
    try:
        return os.open(path, _READ | (0 if follow else _NOFOLLOW))
    except OSError as exc:
        raise _open_error(exc, link=not follow) from None


def _open_within(root: Path, path: Path, directory: bool = False) -> int:
    """Open ``path`` below ``root``, one component at a time, following no link below ``root``."""
    relative = posixpath.relpath(posixpath.normpath(path.as_posix()), posixpath.normpath(root.as_posix()))
    if relative == ".." or relative.startswith("../") or posixpath.isabs(relative):
        raise InputError("outside the repository; not read")
    parts = [] if relative == "." else relative.split("/")
    if not hasattr(os, "O_NOFOLLOW") or os.open not in os.supports_dir_fd:
        return _open_checking_links(root, parts, directory)
    try:
        fd = os.open(root, os.O_RDONLY | _DIRECTORY)
    except OSError as exc:
        raise _open_error(exc, link=False) from None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        flags = (_READ if last and not directory else os.O_RDONLY | _DIRECTORY) | _NOFOLLOW
        try:
            child = os.open(part, flags, dir_fd=fd)
        except OSError as exc:
            raise _open_error(exc, link=True) from None
        finally:
            os.close(fd)
        fd = child
    return fd


def _open_checking_links(root: Path, parts: List[str], directory: bool) -> int:
    """Where ``openat`` is missing (Windows): check each component with ``lstat``, then open."""
    current = root
    for part in parts:
        current = current / part
        if is_link(current):
            raise InputError("a symbolic link inside the path; not followed")
    if directory:
        if not current.is_dir():
            raise InputError("not a folder")
        return os.open(current, os.O_RDONLY)
    return _open(str(current), follow=False)


def _open_error(exc: OSError, link: bool) -> InputError:
    if link and exc.errno in (errno.ELOOP, errno.EMLINK):  # O_NOFOLLOW on a link (EMLINK on FreeBSD)
        return InputError("a symbolic link; not followed")
    if link and exc.errno == errno.ENOTDIR:  # a link (or a file) where a folder should be
        return InputError("a symbolic link or a file where a folder should be; not followed")
    if exc.errno == errno.ENOENT:
        return InputError("no such file or directory")
    return InputError(f"cannot read: {exc.strerror or exc}")


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 and not limit % (1 << 20) else f"{limit} bytes"


def read_text(path: InputPath, limit: int = MAX_INPUT_BYTES, follow: bool = True) -> str:
    """``read_input`` decoded as UTF-8 (a BOM is dropped); ``InputError`` for bytes that are not UTF-8."""
    data = read_input(path, limit, follow)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text") from None


__all__ = ["Confined", "InputError", "MAX_BASELINE_BYTES", "MAX_INPUT_BYTES", "confine", "is_folder", "is_link",
           "list_folder", "read_input", "read_text"]

