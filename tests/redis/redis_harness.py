"""A real redis-server (Debian's) for the Python tests: started on a free loopback port and a
Unix socket in a private directory, stopped or restarted on the same addresses, and asked
commands over a plain socket (RESP), so that no Redis client package is needed."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

# APPROOV_TEST_REDIS_SERVER names another binary (one that is not executable: none, to check
# that the tests skip).
if "APPROOV_TEST_REDIS_SERVER" in os.environ:
    _forced = os.environ["APPROOV_TEST_REDIS_SERVER"]
    REDIS_SERVER = _forced if os.access(_forced, os.X_OK) else None
else:
    REDIS_SERVER = shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server")
         if os.access(p, os.X_OK)), None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _read_reply(f):
    line = f.readline()
    if not line:
        raise ConnectionError("connection closed")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        return "ERR:" + rest.decode()
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode(errors="replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read_reply(f) for _ in range(n)]
    raise ValueError(f"unexpected reply {line!r}")


class RedisServer:
    """`password`: the default user's password (requirepass); admin commands send it."""

    def __init__(self, password=None):
        self.password = password
        self.dir = tempfile.mkdtemp(prefix="approov-redis-")
        self.port = free_port()
        self.socket = os.path.join(self.dir, "redis.sock")
        with open(os.path.join(self.dir, "redis.conf"), "w") as f:
            f.write(f"bind 127.0.0.1\nport {self.port}\nunixsocket {self.socket}\n"
                    f"unixsocketperm 700\nsave \"\"\nappendonly no\ndir {self.dir}\n"
                    f"logfile {self.dir}/redis.log\ndaemonize no\n"
                    "maxmemory-policy noeviction\nenable-debug-command yes\n")
            if password:
                f.write(f"requirepass {password}\n")
        self.proc = None
        self.start()

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        self.proc = subprocess.Popen([REDIS_SERVER, os.path.join(self.dir, "redis.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if self.command("PING") == "PONG":
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.dir}/redis.log")
            time.sleep(0.01)
        raise RuntimeError("redis-server did not answer within 10 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def command(self, *args, db=0):
        """One command over TCP; the reply as str, int, None or list."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            f = s.makefile("rb")
            parts = (([("AUTH", self.password)] if self.password else []) +
                     ([("SELECT", str(db))] if db else []) + [args])
            for cmd in parts:
                data = b"*%d\r\n" % len(cmd)
                for a in cmd:
                    a = a if isinstance(a, bytes) else str(a).encode()
                    data += b"$%d\r\n%s\r\n" % (len(a), a)
                s.sendall(data)
            replies = [_read_reply(f) for _ in parts]
            return replies[-1]
