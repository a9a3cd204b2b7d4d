"""Writing the advice: to a file (`-o`) without ever leaving half of it, or to stdout.

`write_file` decides by what is at the path now:

- nothing: a new file, created with the permissions the umask allows;
- a regular file: replaced whole or not at all (written next to it, then renamed over
  it), keeping its mode and, where the process may, its owner; if it has other hard
  links it is rewritten in place (space reserved first) so every name sees the advice;
- a symlink: the same, for the file it points to (the link stays a link);
- anything else (device node, FIFO, /dev/stdout, a terminal): written through, never
  replaced.

Every failure is an InputError naming the path and the reason (exit code 2).
"""
import errno
import os
import stat
import sys
import tempfile

from .errors import InputError


def _fail(path: str, exc: OSError) -> InputError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return InputError(f"cannot write the advice: {reason}", file=path or "''", field="--output")


def _umask() -> int:
    mask = os.umask(0o022)        # the only portable way to read it; restored at once
    os.umask(mask)
    return mask


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_through(path: str, data: bytes) -> None:
    with open(path, "wb", buffering=0) as out:
        _write_all(out.fileno(), data)


def _rewrite_in_place(path: str, data: bytes) -> None:
    """For a file with several hard links: reserve the space first, so that a full disk
    fails before the old content is touched."""
    fd = os.open(path, os.O_WRONLY)
    try:
        try:
            os.posix_fallocate(fd, 0, max(len(data), 1))
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                raise
        _write_all(fd, data)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(target: str, data: bytes, existing: "os.stat_result | None") -> None:
    folder, name = os.path.split(target)
    fd, tmp = tempfile.mkstemp(dir=folder or ".", prefix=f".{name}.", suffix=".tmp")
    try:
        try:
            _write_all(fd, data)
            if existing is None:
                os.fchmod(fd, 0o666 & ~_umask())
            else:
                os.fchmod(fd, stat.S_IMODE(existing.st_mode))
                try:
                    os.fchown(fd, existing.st_uid, existing.st_gid)
                except PermissionError:
                    pass            # not ours to give away: the file becomes the writer's
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_file(path: str, text: str) -> None:
    """Write `text` (UTF-8) to `path` as the module docstring describes."""
    if not path:
        raise InputError("the file name is empty", file="''", field="--output")
    data = text.encode("utf-8")
    try:
        try:
            existing = os.stat(path)                  # follows a symlink to its target
        except FileNotFoundError:
            existing = None
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            _write_through(path, data)
        elif existing is not None and existing.st_nlink > 1:
            _rewrite_in_place(path, data)
        else:
            _replace(os.path.realpath(path), data, existing)
    except OSError as exc:
        raise _fail(path, exc) from None


class _ClosedStdout:
    """Stands in for a standard output that was closed when the process started (Python
    then sets sys.stdout to None and every print is silently lost)."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def guard_stdout() -> None:
    """Make writing to a closed standard output an error instead of a silent no-op."""
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()


def silence_stdout() -> None:
    """After a failed write, point fd 1 at /dev/null so the interpreter's final flush of
    what is still buffered cannot fail a second time (and print a traceback)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, AttributeError, ValueError):
        sys.stdout = _ClosedStdout()


def stdout_error(exc: OSError) -> InputError:
    """An OSError that reached the top: a failed write to stdout, unless it names a file."""
    if exc.filename:
        return InputError(str(exc.strerror or exc), file=str(exc.filename))
    return InputError(f"cannot write the output: {exc.strerror or exc}", file="<stdout>")


def encoding_error(encoding: str, exc: "UnicodeEncodeError | LookupError") -> InputError:
    bad = exc.object[exc.start] if isinstance(exc, UnicodeEncodeError) else "?"
    return InputError(f"the output encoding {encoding} cannot show the character U+{ord(bad):04X}; "
                      f"use UTF-8 (PYTHONIOENCODING=utf-8) or write to a file with -o", file="<stdout>")


def write_stdout(text: str) -> None:
    """Write all of `text` or raise an InputError: a full disk, a closed pipe or an
    encoding that cannot show the text are errors, not a traceback or lost output."""
    stream = sys.stdout
    if stream is None:
        raise InputError("cannot write the output: standard output is closed", file="<stdout>")
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        data = text.encode(encoding)
    except (UnicodeEncodeError, LookupError) as exc:
        raise encoding_error(encoding, exc) from None
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            stream.write(text)
        else:
            stream.flush()
            buffer.write(data)
            buffer.flush()
        stream.flush()
    except (OSError, ValueError) as exc:
        silence_stdout()
        if isinstance(exc, ValueError):          # closed stream
            exc = OSError(errno.EBADF, "standard output is closed")
        raise stdout_error(exc) from None
