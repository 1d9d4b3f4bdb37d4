"""Writing a report (``-o FILE``, ``--write-baseline FILE``): only once the scan succeeded, and without
changing what FILE is.

* A new path, or an existing regular file (with one link): written to a temporary file in the same
  folder and renamed over it, so a reader never sees half a report. A new file gets the permissions the
  umask gives (as a shell redirection would), an existing one keeps its own.
* A symbolic link is written through, into whatever it points at, and stays a link (``-o report.json``
  where report.json links into a shared folder; ``-o /dev/stdout``, a link to the process's output).
  Renaming over it would replace the link, and as root ``-o /dev/stdout`` turned /dev/stdout into a
  regular file.
* Anything else (a FIFO, a character device such as /dev/stdout or /dev/null, a regular file with several
  hard links) is written into directly: a FIFO's reader gets the report.
* A folder, or a file that cannot be written, is a one-line error (exit 2).
"""

from __future__ import annotations

import os
import stat
import sys
from typing import Optional

import click

from provider_audit.redact import PrintableError


class OutputError(PrintableError):
    """The report could not be written; one line naming the file."""


def write_output(text: str, output: Optional[str]) -> None:
    """Write ``text`` to stdout (``None`` or ``-``), or to the file ``output`` as described above."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    write_file(click.unstyle(text).encode("utf-8"), output)


def write_file(data: bytes, output: str, mode: Optional[int] = None) -> None:
    """Write ``data`` to the file ``output`` as described above; ``mode``: the permissions of the file
    written (a rules bundle to publish is 0644 whatever the umask), else the umask's or the old file's."""
    try:
        try:
            info: Optional[os.stat_result] = os.lstat(output)
        except FileNotFoundError:
            info = None
        if info is None or (stat.S_ISREG(info.st_mode) and info.st_nlink == 1):
            _replace(output, data, mode if mode is not None or info is None else stat.S_IMODE(info.st_mode))
        elif stat.S_ISDIR(info.st_mode):
            raise OutputError(f"{output}: cannot write: is a folder")
        else:
            _write_into(output, data)
    except OSError as exc:
        raise OutputError(f"{output}: cannot write: {exc.strerror or exc}") from None


def _replace(output: str, data: bytes, mode: Optional[int]) -> None:
    """Atomically: a temporary file beside ``output`` (mode 0666 less the umask, or ``mode``), renamed over it."""
    folder, name = os.path.split(output)
    temporary = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        if not os.path.isdir(folder or "."):
            raise OSError(exc.errno, exc.strerror if os.path.lexists(folder) else "its folder does not exist") from None
        # The error is about the temporary file, not the target (which may exist): say so.
        raise OSError(exc.errno, f"cannot create a temporary file beside it ({exc.strerror})") from None
    try:
        try:
            _write_all(fd, data)
            if mode is not None:
                os.chmod(temporary, mode)
        finally:
            os.close(fd)
        os.replace(temporary, output)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _write_into(output: str, data: bytes) -> None:
    """Open ``output`` as it is (following a link; a FIFO waits for its reader) and write into it."""
    stream = _standard_stream(output)
    if stream is not None:  # the process's own stdout/stderr: its buffer is written, not a second opening
        stream.flush()
        stream.buffer.write(data)
        stream.flush()
        return
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _standard_stream(output: str):
    """sys.stdout or sys.stderr when ``output`` leads to the very same open file (``/dev/stdout``, a link
    to ``/proc/self/fd/1``): reopening it would truncate a file the shell opened for appending."""
    try:
        target = os.stat(output)
    except OSError:
        return None
    for stream in (sys.stdout, sys.stderr):
        try:
            fd = stream.fileno()
            own = os.fstat(fd)
        except (AttributeError, OSError, ValueError):
            continue
        if (own.st_dev, own.st_ino) == (target.st_dev, target.st_ino) and hasattr(stream, "buffer"):
            return stream
    return None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
