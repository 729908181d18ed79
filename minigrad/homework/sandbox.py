"""Running untrusted code: a child process with a time limit, a memory limit, capped
output, and (when the grader runs as root, as on Gradescope) an unprivileged user.

The child's standard output and error go to files opened by the parent; a file-size limit
caps them (a write past it fails with an OSError in the child instead of filling the
disk), and the parent reads only their first and last few kilobytes. The child runs in a
session of its own, so the parent can kill it and anything it started; with
`become_subreaper` (Linux), a process that escaped into a new session is reparented to
the grader when its parent dies, and killed too.
"""
import ctypes
import dataclasses
import os
import pathlib
import pwd
import resource
import signal
import subprocess
import sys
import time

#: The user that student code runs as when the grader is root.
SANDBOX_USER = "nobody"
#: The most the child may write to any file (its output included), in bytes.
FILE_LIMIT = 64 * 10 ** 6
#: How much of each output stream the parent keeps: this much from the start and the end.
OUTPUT_KEEP = 2000


@dataclasses.dataclass
class Outcome:
    returncode: int
    timed_out: bool
    elapsed: float
    stdout: str
    stderr: str

    @property
    def fate(self):
        """How the process ended, in words."""
        if self.timed_out:
            return "was stopped at the time limit"
        if self.returncode < 0:
            name = signal.Signals(-self.returncode).name if -self.returncode in \
                signal.valid_signals() else str(-self.returncode)
            return f"was killed by signal {name}"
        return f"exited with status {self.returncode}"


def sandbox_identity(user=SANDBOX_USER):
    """(uid, gid) to drop to when running as root, else None (the child runs as us)."""
    if os.geteuid() != 0 or user is None:
        return None
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise RuntimeError(f"running as root, but there is no user {user!r} to run the "
                           "submission's code as: create one (useradd) rather than run it as root") from None
    return entry.pw_uid, entry.pw_gid


def interpreter(identity):
    """This Python, or, if the sandbox user cannot run it (e.g. under /root/.pyenv), the
    system's Python of the same version (the same ABI, so the same NumPy loads).

    Raises:
        RuntimeError: if the sandbox user can run neither.
    """
    if identity is None or _others_can_run(sys.executable):
        return sys.executable
    name = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for folder in ("/usr/bin", "/usr/local/bin", "/bin"):
        candidate = os.path.join(folder, name)
        if os.path.exists(candidate) and _others_can_run(candidate):
            return candidate
    raise RuntimeError(
        f"the sandbox user cannot run {sys.executable} (a folder on its path is private) "
        f"and no {name} was found in /usr/bin or /usr/local/bin; install Python where "
        "every user can run it")


def child_environment(home):
    """A clean environment for a child: nothing of ours but what Python and NumPy need to
    start (the dynamic loader's path, OpenBLAS's processor settings), one BLAS thread."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    env.update({k: v for k, v in os.environ.items()
                if k in ("LD_LIBRARY_PATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")})
    return env


def check_python(folder, identity):
    """None if a child (as `identity`, under the limits) can start Python and import
    NumPy, else what went wrong."""
    import numpy
    site = str(pathlib.Path(numpy.__file__).resolve().parent.parent)
    probe = pathlib.Path(folder) / "probe"
    probe.mkdir(parents=True)
    probe.chmod(0o755)
    program = f"import sys; sys.path.append({site!r}); import numpy"
    try:
        outcome = run([interpreter(identity), "-I", "-S", "-c", program], probe,
                      child_environment(probe), 60, 2 * 10 ** 9, identity)
    except (OSError, RuntimeError) as error:
        return f"the sandbox cannot start Python: {error}"
    if outcome.returncode == 0:
        return None
    user = f"user {SANDBOX_USER!r}" if identity else "this user"
    return (f"the sandbox cannot run Python with NumPy as {user}: the probe {outcome.fate}: "
            f"{outcome.stderr.strip()[-500:]}")


def _others_can_run(path):
    """Whether a user who owns nothing here can execute `path` (mode bits only)."""
    path = pathlib.Path(os.path.realpath(path))
    if not path.is_file() or not path.stat().st_mode & 0o001:
        return False
    return all(parent.stat().st_mode & 0o001 for parent in path.parents)


def run(argv, cwd, env, time_limit, memory_limit, identity=None):
    """Run `argv` in `cwd` under the limits and wait for it (at most `time_limit` seconds).

    Args:
        memory_limit: bytes of address space (RLIMIT_AS): an allocation past it raises
            MemoryError in the child.
        identity: (uid, gid) to run as, from `sandbox_identity`, or None.

    Returns:
        An `Outcome`.
    """
    cwd = pathlib.Path(cwd)
    cpu = int(time_limit) + 2

    def limit():  # runs in the child, between fork and exec
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past FILE_LIMIT: EFBIG, not death
        for name, value in ((resource.RLIMIT_AS, memory_limit), (resource.RLIMIT_CPU, cpu),
                            (resource.RLIMIT_FSIZE, FILE_LIMIT), (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(name, (value, value))

    started = time.monotonic()
    with open(cwd / "stdout.txt", "wb") as out, open(cwd / "stderr.txt", "wb") as err:
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            start_new_session=True, preexec_fn=limit, close_fds=True,
            user=identity[0] if identity else None, group=identity[1] if identity else None,
            extra_groups=[] if identity else None)
        timed_out = False
        try:
            process.wait(timeout=time_limit)
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill_session(process.pid)
        process.wait()
        reap_escaped()
    return Outcome(process.returncode, timed_out, time.monotonic() - started,
                   _ends(cwd / "stdout.txt"), _ends(cwd / "stderr.txt"))


def _kill_session(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _ends(path):
    """The first and last OUTPUT_KEEP bytes of a file, as text."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        if size <= 2 * OUTPUT_KEEP:
            return f.read().decode("utf-8", errors="replace")
        head = f.read(OUTPUT_KEEP)
        f.seek(size - OUTPUT_KEEP)
        tail = f.read()
    skipped = size - 2 * OUTPUT_KEEP
    return (head.decode("utf-8", errors="replace") + f"\n[... {skipped} bytes not shown ...]\n"
            + tail.decode("utf-8", errors="replace"))


_subreaper = [False]


def become_subreaper():
    """Make orphaned descendants children of this process (Linux prctl), so `run` can kill
    what a child left running in a session of its own. Returns whether it worked."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        _subreaper[0] = libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        _subreaper[0] = False
    return _subreaper[0]


def reap_escaped():
    """Kill and collect every child of ours that is still alive (only orphans reparented
    to us are left once `run` has waited for its own child)."""
    if not _subreaper[0]:
        return
    me = os.getpid()
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == me:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                os.waitpid(int(entry.name), 0)
            except (ProcessLookupError, ChildProcessError, PermissionError):
                pass


def read_regular_file(path):
    """The bytes of `path` if it is a regular file with one link, never following a
    symbolic link (a child could point one at the expected outputs), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not (info.st_mode & 0o170000 == 0o100000) or info.st_nlink != 1 \
                or info.st_size > FILE_LIMIT:
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
