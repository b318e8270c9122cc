"""Nothing transcript-lens does reaches for the network: checked with the network blocked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "RAY_USAGE_STATS_ENABLED": "0",
}

# Loaded by every Python process started with this folder on PYTHONPATH (the
# site module imports sitecustomize at start-up), so it is in place before
# any library is imported. Any socket use other than a Unix socket, and any
# name look-up, is written to the record file and then fails, the way it
# would on a machine without a network.
GUARD = """
import errno
import os
import socket

_RECORD = os.environ["TL_NETWORK_RECORD"]


def _note(what, target):
    with open(_RECORD, "a", encoding="utf-8") as record:
        record.write(f"{os.getpid()} {what} {target!r}\\n")


def _refuse(what, target):
    _note(what, target)
    return OSError(errno.ENETUNREACH, f"network blocked by the test: {what} {target!r}")


def _local(sock):
    return sock.family == getattr(socket, "AF_UNIX", None)


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto


def connect(self, address):
    if _local(self):
        return _connect(self, address)
    raise _refuse("connect", address)


def connect_ex(self, address):
    if _local(self):
        return _connect_ex(self, address)
    _note("connect_ex", address)
    return errno.ENETUNREACH


def sendto(self, data, *args):
    if _local(self):
        return _sendto(self, data, *args)
    raise _refuse("sendto", args[-1] if args else None)


def create_connection(address, *args, **kwargs):
    raise _refuse("create_connection", address)


def _lookup(name):
    def blocked(host, *args, **kwargs):
        raise _refuse(name, host)

    return blocked


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.create_connection = create_connection
for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
    setattr(socket, _name, _lookup(_name))
"""


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any offline or telemetry setting of its own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in OFFLINE_ENV and not key.startswith(("HF_", "TRANSFORMERS_", "PYTHON"))
    }
    env.update(NO_COLOR="1", COLUMNS="100", **extra)
    return env


def _command() -> list[str]:
    script = Path(sys.executable).with_name("transcript-lens")
    return [str(script)] if script.exists() else [sys.executable, "-m", "transcript_lens"]


def _run(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [*_command(), *args], input=stdin, capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def _classify_input() -> str:
    rows = [
        {"text": "Fine. Whatever you think.", "context": None},
        {"text": "No, I won't sign that off, the numbers are wrong.", "context": "Ship it today."},
        {"text": "That one's on me, I missed the deadline.", "context": None},
    ]
    return "".join(json.dumps(row) + "\n" for row in rows)


COMMANDS = {
    "analyze": (["analyze", str(SAMPLES / "order_taker.vtt")], None),
    "analyze-html": (["analyze", str(SAMPLES / "order_taker.vtt"), "--format", "html"], None),
    "classify": (["classify", "-"], _classify_input()),
}


def test_offline_import_sets_offline_and_no_telemetry():
    code = "import json, os, transcript_lens; print(json.dumps(dict(os.environ)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_clean_env(), check=True
    )
    env = json.loads(done.stdout)
    assert {key: env.get(key) for key in OFFLINE_ENV} == OFFLINE_ENV


def test_offline_import_keeps_a_users_own_choice():
    code = "import os, transcript_lens; print(os.environ['HF_HUB_OFFLINE'])"
    env = _clean_env(HF_HUB_OFFLINE="0")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "0"


@pytest.mark.slow
def test_offline_import_turns_ray_usage_stats_off():
    """batch --engine ray: Ray reports usage from its head node unless told not to."""
    pytest.importorskip("ray")
    code = (
        "import transcript_lens\n"
        "from ray._common.usage import usage_lib\n"
        "print(usage_lib.usage_stats_enabled())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_clean_env(), check=True
    )
    assert done.stdout.strip() == "False"


def test_offline_guard_records_and_refuses_a_connection(tmp_path):
    """The guard itself works, so a clean record below means something."""
    (tmp_path / "sitecustomize.py").write_text(GUARD)
    record = tmp_path / "network.log"
    code = (
        "import socket, urllib.request\n"
        "try:\n"
        "    urllib.request.urlopen('https://huggingface.co', timeout=5)\n"
        "except OSError as error:\n"
        "    print('refused', error)\n"
    )
    env = _clean_env(PYTHONPATH=str(tmp_path), TL_NETWORK_RECORD=str(record))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "refused" in done.stdout, done.stderr
    assert "huggingface.co" in record.read_text()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_offline_commands_make_no_connection_attempt(tmp_path, name):
    args, stdin = COMMANDS[name]
    free = _run(args, _clean_env(), stdin)

    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    record = tmp_path / "network.log"
    record.touch()
    env = _clean_env(PYTHONPATH=str(guard), TL_NETWORK_RECORD=str(record))
    blocked = _run(args, env, stdin)

    assert record.read_text() == ""
    assert blocked == free
    assert blocked.strip()


@pytest.mark.slow
def test_offline_no_connect_syscall_even_from_native_code(tmp_path):
    """strace sees what the Python-level guard cannot: sockets opened by compiled code."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed")
    probe = subprocess.run([strace, "-o", os.devnull, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"strace cannot trace here: {probe.stderr.decode().strip()}")
    trace = tmp_path / "trace.txt"
    for args, stdin in COMMANDS.values():
        traced = [strace, "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(trace)]
        done = subprocess.run(
            [*traced, *_command(), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=_clean_env(),
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        calls = [
            line
            for line in trace.read_text().splitlines()
            if ("connect(" in line or "send" in line)
            and "AF_UNIX" not in line
            and "AF_NETLINK" not in line
        ]
        assert calls == [], args
