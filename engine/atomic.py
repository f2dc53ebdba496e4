"""Write files all at once: a reader never sees a half-written output, even if the writer fails."""

import errno
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path`; it becomes `path` only if the block succeeds. A target that
    exists and is not a regular file (a device such as /dev/null, a FIFO, a folder) is refused, never
    replaced."""
    path = Path(path)
    _refuse_special(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(path, data):
    """Write `data` (bytes, or text as UTF-8) to `path` all at once; returns the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def real_folder(root, folder):
    """`folder`, inside the output folder `root`, made a real folder. A part of it below `root` that is a
    symbolic link (a shared deck or renders folder may hold one, pointing anywhere) is replaced by a real
    folder, so that nothing written or removed there is ever outside `root`. Returns `folder`."""
    root, folder = Path(root), Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    at = root
    for part in folder.relative_to(root).parts:
        at = at / part
        if at.is_symlink():
            at.unlink()
        at.mkdir(exist_ok=True)
    return folder


def check_writable(path):
    """Before long work: OSError (with a strerror for the user) if `path` could not be written atomically."""
    path = Path(path)
    _refuse_special(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".check", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)


def _refuse_special(path):
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise FileExistsError(errno.EEXIST, "it exists and is not a regular file", str(path))


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
