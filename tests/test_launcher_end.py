"""The `ketacost` command ends its process as soon as a one-shot command's output is
flushed (`launcher.run`), with the same output, exit status and exit handlers as the
interpreter's own exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ketacost import launcher

ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}

# The command as the console script runs it, or `main` alone (the interpreter's exit).
_THROUGH = (
    "import sys\n"
    "from ketacost import launcher\n"
    "sys.argv = ['ketacost', *sys.argv[2:]]\n"
    "if sys.argv_through == 'run':\n"
    "    launcher.run()\n"
    "launcher.main()\n"
)


def _through(how: str, *args: str, first: str = "") -> subprocess.CompletedProcess[str]:
    code = first + _THROUGH.replace("sys.argv_through", repr(how))
    return subprocess.run(
        [sys.executable, "-c", code, how, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("prices",),
        ("schedule", "spravato", "--months", "12"),
        ("estimate", "iv", "--format", "json"),
        ("estimate", "spravato", "--insurance", "medicare"),
        ("estimate", "zz"),  # a bad treatment: exit 2 and a message
        ("estimate", "iv", "--months", "abc"),
        ("--version",),
    ],
)
def test_the_same_output_and_status_as_the_interpreters_exit(args: tuple[str, ...]) -> None:
    quick, usual = _through("run", *args), _through("main", *args)
    assert (quick.returncode, quick.stdout, quick.stderr) == (
        usual.returncode,
        usual.stdout,
        usual.stderr,
    )
    assert quick.stdout or quick.stderr


def test_a_long_output_to_a_file_is_whole(tmp_path: Path) -> None:
    out = tmp_path / "prices.txt"
    with out.open("w", encoding="utf-8") as handle:
        done = subprocess.run(
            [sys.executable, "-c", _THROUGH.replace("sys.argv_through", "'run'"), "run", "prices"],
            stdout=handle,
            env=ENV,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0
    assert out.read_text(encoding="utf-8") == _through("main", "prices").stdout


def test_exit_handlers_still_run(tmp_path: Path) -> None:
    mark = tmp_path / "mark"
    first = (
        f"import atexit, pathlib\natexit.register(pathlib.Path({str(mark)!r}).write_text, 'ran')\n"
    )
    done = _through("run", "estimate", "iv", "--format", "json", first=first)
    assert done.returncode == 0 and mark.read_text() == "ran"


def test_a_thread_left_running_finishes_first(tmp_path: Path) -> None:
    mark = tmp_path / "mark"
    first = (
        "import threading, time, pathlib\n"
        "def later():\n"
        "    time.sleep(0.3)\n"
        f"    pathlib.Path({str(mark)!r}).write_text('done')\n"
        "threading.Thread(target=later).start()\n"
    )
    done = _through("run", "estimate", "iv", "--format", "json", first=first)
    assert done.returncode == 0 and mark.read_text() == "done"


@pytest.mark.parametrize(
    ("args", "ends_now"),
    [(["estimate", "iv"], True), (["batch", "in.csv"], False), (["rates", "extract"], False)],
)
def test_only_one_shot_commands_end_at_once(
    monkeypatch: pytest.MonkeyPatch, args: list[str], ends_now: bool
) -> None:
    ended: list[str | int | None] = []
    monkeypatch.setattr(sys, "argv", ["ketacost", *args])
    monkeypatch.setattr(launcher, "main", lambda: None)
    monkeypatch.setattr(launcher, "end_now", ended.append)
    with pytest.raises(SystemExit) as exc:
        launcher.run()
    assert exc.value.code is None
    assert ended == ([None] if ends_now else [])


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (141, 141)])
def test_exit_status_as_the_interpreter_has_it(code: int | None, status: int) -> None:
    assert launcher.exit_status(code) == status


def test_a_message_as_the_exit_code_is_printed_and_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert launcher.exit_status("bad things") == 1
    assert capsys.readouterr().err == "bad things\n"


def test_a_one_shot_command_skips_the_teardown() -> None:
    # An object that says when the interpreter frees it at its exit.
    first = (
        "import os\n"
        "class Freed:\n"
        "    def __del__(self, write=os.write):\n"
        "        write(2, b'freed')\n"
        "kept = Freed()\n"
    )
    quick = _through("run", "estimate", "iv", "--format", "json", first=first)
    usual = _through("main", "estimate", "iv", "--format", "json", first=first)
    assert quick.returncode == usual.returncode == 0
    assert "freed" in usual.stderr and "freed" not in quick.stderr
