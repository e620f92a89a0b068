"""Issue 15: the holes an independent attack found, one regression test (or more) each.

Subprocess tests carry a generous `timeout` only as a guard against a hang (a FIFO
that blocks forever): they assert behaviour, never speed."""

from __future__ import annotations

import csv
import io
import json
import os
import pickle
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ketacost import safeio
from ketacost.book import cache as bookcache
from ketacost.book import pricebook
from ketacost.cli import output as output_module
from ketacost.cli.app import app
from ketacost.cli.output import OutputError, open_atomic, write_atomic
from ketacost.csvsafe import cell
from ketacost.errors import KetacostError, PriceBookError

import bookfactory

BIN = str(Path(sys.executable).parent / "ketacost")
BASE = ["--start", "2026-12-01"]
HANG_GUARD = 120  # seconds; only so a regression fails instead of hanging the run


def dump(data: object) -> str:
    return bookfactory.dump(data)


def cli(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN, *args],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


# ------------------------------------------------------------ 1. the book cache


class _Boom:
    """A pickle that, if ever unpickled, creates a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (self.marker,))


def test_a_planted_cache_file_runs_no_code(tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("KETACOST_CACHE_DIR", str(cache))
    first = pricebook.load()
    (entry,) = cache.glob("book-*")
    assert entry.suffix == ".json"
    key = entry.name.removeprefix("book-").removesuffix(".json")
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Boom(marker))
    # The old cache name, and the new one, both hold a pickle that would run code.
    (cache / f"book-{key}.pickle").write_bytes(evil)
    entry.write_bytes(evil)
    assert pricebook.load() == first
    assert not marker.exists()
    # JSON naming a class outside the price book's models is refused, not looked up.
    entry.write_text(json.dumps({"$m": "Path", "f": {}}))
    assert pricebook.load() == first
    assert not marker.exists()


def test_a_cache_entry_others_could_write_is_not_trusted(tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("KETACOST_CACHE_DIR", str(cache))
    first = pricebook.load()
    (entry,) = cache.glob("book-*.json")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    doc = json.loads(entry.read_text())
    doc["f"]["title"] = "tampered"
    entry.write_text(json.dumps(doc))
    os.chmod(entry, 0o600)
    assert pricebook.load().title == "tampered"  # ours and private: it is read
    os.chmod(entry, 0o666)
    assert pricebook.load().title == first.title  # writable by others: rebuilt
    entry.write_text(json.dumps(doc))  # tampered again, private again ...
    os.chmod(entry, 0o600)
    os.chmod(cache, 0o777)
    assert pricebook.load().title == first.title  # ... but in a folder others can write to
    assert json.loads(entry.read_text())["f"]["title"] == "tampered"  # and not rewritten


def test_our_default_cache_folder_is_made_private(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("KETACOST_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = Path(bookcache.cache_dir() or "")
    assert folder.is_relative_to(tmp_path)
    folder.mkdir(parents=True)
    os.chmod(folder, 0o775)  # as an older version made it under a umask of 002
    first = pricebook.load()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert list(folder.glob("book-*.json")) and pricebook.load() == first


def test_the_cache_round_trips_a_book_exactly() -> None:
    book = pricebook.load()
    again = bookcache.decode(json.loads(json.dumps(bookcache.encode(book))), bookcache._models())
    assert again == book and repr(again._values()) == repr(book._values())


# ------------------------------------------------------------ 2. CSV formula injection

HOSTILE = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3+cmd|x", "\tx", "\rx"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized() -> None:
    for text in HOSTILE:
        assert cell(text) == "'" + text
    for text in ("-5", "+2.50", "3540.00", "iv", "", "a=b"):
        assert cell(text) == text


def test_batch_csv_neutralizes_every_cell_and_jsonl_stays_verbatim(runner, tmp_path) -> None:
    src = tmp_path / "p.csv"
    with src.open("w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["id", "treatment", "price", "x_note"])
        for text in HOSTILE:
            w.writerow([text, "iv", "500", text])
        w.writerow(["neg", "iv", "-5", "-5"])
    result = runner.invoke(app, ["batch", str(src)])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows[:-1]] == ["'" + t for t in HOSTILE]
    assert [r["x_note"] for r in rows[:-1]] == ["'" + t for t in HOSTILE]
    assert rows[-1]["price"] == "-5"  # a plain number stays a number
    for r in rows:
        assert not any(v.startswith(("=", "+", "@", "\t", "\r")) for v in r.values())
    jsonl = runner.invoke(app, ["batch", str(src), "--format", "jsonl"]).stdout
    assert [json.loads(line)["id"] for line in jsonl.splitlines()][:-1] == HOSTILE


def test_report_csv_neutralizes_price_book_text(runner, tmp_path: Path) -> None:
    data = bookfactory.book()
    data["treatments"]["iv"]["name"] = '=HYPERLINK("http://evil")'
    book = tmp_path / "b.yaml"
    book.write_text(dump(data))
    out = runner.invoke(app, ["compare", *BASE, "--pricing", str(book), "--format", "csv"])
    assert out.exit_code == 0, out.output
    names = [r["name"] for r in csv.DictReader(io.StringIO(out.stdout))]
    assert '\'=HYPERLINK("http://evil")' in names


# ------------------------------------------------------------ 3. no clobbering, ever


def test_of_twelve_racing_writers_exactly_one_wins(tmp_path: Path) -> None:
    target = tmp_path / "race.json"
    barrier = threading.Barrier(12)
    results: list[str] = []

    def writer(n: int) -> None:
        try:
            with open_atomic(target) as handle:
                handle.write(f"writer {n}\n")
                barrier.wait()  # every writer has passed the existence check
            results.append(f"won {n}")
        except OutputError as exc:
            results.append(exc.message)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [r for r in results if r.startswith("won")]
    assert len(won) == 1
    assert all("already exists" in r for r in results if not r.startswith("won"))
    assert target.read_text() == f"writer {won[0].split()[1]}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.json"]


@pytest.mark.slow
def test_twelve_racing_processes(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen(
            [BIN, "finance", "1000", "--months", "12", "--format", "json", "-o", "race.json"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(12)
    ]
    codes = [p.wait(timeout=HANG_GUARD) for p in procs]
    assert sorted(codes) == [0] + [2] * 11
    json.loads((tmp_path / "race.json").read_text())


def test_a_dangling_symlink_is_never_replaced(tmp_path: Path) -> None:
    link = tmp_path / "q.json"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(OutputError, match="already exists"):
        write_atomic(link, "x")
    with pytest.raises(OutputError, match="symbolic link"):
        write_atomic(link, "x", force=True)
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()


def test_force_replaces_only_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "q.json"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="FIFO"):
        write_atomic(fifo, "x", force=True)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with pytest.raises(OutputError, match="device"):
        write_atomic("/dev/null", "x", force=True)


def test_a_file_that_appears_while_writing_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "q.md"
    with pytest.raises(OutputError, match="already exists"), open_atomic(target) as handle:
        handle.write("mine")
        target.write_text("theirs")
    assert target.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.md"]


def test_without_hard_links_the_last_step_still_never_clobbers(tmp_path: Path, monkeypatch) -> None:
    def no_links(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # as on a FAT or SMB mount

    monkeypatch.setattr(output_module.os, "link", no_links)
    write_atomic(tmp_path / "a.md", "first")  # copied into a file made with O_EXCL
    assert (tmp_path / "a.md").read_text() == "first"
    target = tmp_path / "q.md"
    with pytest.raises(OutputError, match="already exists"), open_atomic(target) as handle:
        handle.write("second")
        target.write_text("theirs")
    assert target.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "q.md"]


# ------------------------------------------------------------ 4. Markdown and raw HTML


def test_markdown_escapes_raw_html(runner, tmp_path: Path) -> None:
    data = bookfactory.book()
    data["treatments"]["iv"]["name"] = "IV <script>alert(1)</script>"
    book = tmp_path / "b.yaml"
    book.write_text(dump(data))
    result = runner.invoke(app, ["estimate", "iv", *BASE, "--pricing", str(book), "-f", "markdown"])
    assert result.exit_code == 0, result.output
    assert "<script" not in result.stdout and "&lt;script>" in result.stdout
    # The Good Faith Estimate's patient name: no tag, and not a link either.
    result = runner.invoke(
        app,
        [
            "estimate",
            "iv",
            *BASE,
            "--price",
            "500",
            "--format",
            "gfe",
            "--patient",
            "<img src=x onerror=alert(1)> [x](javascript:alert(1))",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "<img" not in result.stdout and "&lt;img src=x" in result.stdout
    assert "\\[x\\](javascript" in result.stdout


# ------------------------------------------------------------ 5. devices, FIFOs, caps


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused_as_book_config_and_batch(runner, device: str) -> None:
    with pytest.raises(PriceBookError, match="is a device, not a regular file"):
        pricebook.load(device)
    result = runner.invoke(app, ["estimate", "iv"], env={"KETACOST_CONFIG": device})
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    result = runner.invoke(app, ["batch", device])
    assert result.exit_code == 2 and "not a regular file" in result.stderr


def test_a_fifo_with_no_writer_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    for args, env in (
        (["validate", str(fifo)], None),
        (["batch", str(fifo)], None),
        (["estimate", "iv"], {**os.environ, "KETACOST_CONFIG": str(fifo)}),
    ):
        r = cli(*args, env=env)
        assert r.returncode == 2 and "named pipe (FIFO)" in r.stderr, (args, r.stderr)


def test_batch_from_a_closed_stdin_is_a_short_error() -> None:
    r = subprocess.run(
        f"'{BIN}' batch - <&-", shell=True, capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert r.returncode == 2 and "stdin is closed" in r.stderr


def test_every_read_is_capped(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 1001)
    with pytest.raises(safeio.TooBig):
        safeio.read_capped(big, 1000)
    assert safeio.read_capped(big, 1001) == b"x" * 1001


def test_a_batch_line_is_capped(runner, tmp_path: Path, monkeypatch) -> None:
    from ketacost import batch

    monkeypatch.setattr(batch, "LINE_LIMIT", 100)
    src = tmp_path / "p.csv"
    src.write_text("treatment,x_note\niv,ok\niv," + "y" * 200 + "\n")
    result = runner.invoke(app, ["batch", str(src)])
    assert result.exit_code == 2 and "line 3: is longer than" in result.stderr
    assert result.stdout.count("\n") == 2  # the header and the good row came first


# ------------------------------------------------------------ 6. bounded counts and spans


def _phase_book(sessions: object, span: object) -> dict[str, object]:
    data = bookfactory.book()
    phase = data["treatments"]["iv"]["phases"][0]
    for name, value in (("sessions", sessions), ("span_weeks", span)):
        fig = phase[name]
        for k in ("low", "typical", "high"):
            fig.pop(k, None)
        fig["value"] = value
    return data


@pytest.mark.parametrize(
    ("sessions", "span", "needle"),
    [
        (1_000_000, 4, "sessions must be at most 100"),
        (6, "1e9", "weeks must be at most 261"),
        (6, 100_000, "weeks must be at most 261"),
    ],
)
def test_validate_refuses_what_estimate_cannot_do(
    runner, tmp_path: Path, sessions, span, needle
) -> None:
    book = tmp_path / "b.yaml"
    book.write_text(dump(_phase_book(sessions, span)))
    result = runner.invoke(app, ["validate", str(book)])
    assert result.exit_code == 2 and needle in result.stderr
    assert "treatments.iv.phases.0" in result.stderr


def test_a_book_at_the_bounds_estimates(runner, tmp_path: Path) -> None:
    book = tmp_path / "b.yaml"
    book.write_text(dump(_phase_book(100, 261)))
    assert runner.invoke(app, ["validate", str(book)]).exit_code == 0
    result = runner.invoke(
        app, ["estimate", "iv", *BASE, "--months", "60", "--pricing", str(book), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["phases"][0]["sessions"]["typical"] <= 100


def test_lists_in_a_book_are_bounded(tmp_path: Path) -> None:
    data = bookfactory.book()
    phase = data["treatments"]["iv"]["phases"][0]
    data["treatments"]["iv"]["phases"] = [dict(phase, id=f"p{i}") for i in range(11)]
    with pytest.raises(PriceBookError, match="phases"):
        pricebook.validate(data, "b.yaml")


# ------------------------------------------------------------ 7. an unclosed quote


def test_an_unclosed_quote_fails_its_row_with_the_line(runner, tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_text(
        'id,treatment,price,x_note\na,iv,500,ok\nb,iv,500,"open\nc,iv,500,x\nd,iv,500,y\n'
    )
    result = runner.invoke(app, ["batch", str(src)])
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["error"] == ""
    assert rows[1]["error"].startswith("line 3: a quote opened here is never closed")
    assert "2 line(s) after it" in rows[1]["error"]
    # a closed multi-line cell at the end of the file is fine
    src.write_text('treatment,x_note\niv,"two\nlines"\n')
    assert runner.invoke(app, ["batch", str(src)]).exit_code == 0


# ------------------------------------------------------------ 8. non-UTF-8 on stdin


def _bad_at_line(n: int) -> bytes:
    good = "".join(f"r{i},iv,500\n" for i in range(2, n))
    return b"id,treatment,price\n" + good.encode() + b"caf\xe9,iv,500\nz,iv,500\n"


@pytest.mark.slow
def test_non_utf8_stdin_is_refused_like_a_path_and_earlier_rows_are_kept(tmp_path) -> None:
    data = _bad_at_line(5000)
    src = tmp_path / "p.csv"
    src.write_bytes(data)
    by_path = cli("batch", str(src))
    by_stdin = cli("batch", "-", input=data.decode("latin-1"), encoding="latin-1")
    for r in (by_path, by_stdin):
        assert r.returncode == 2
        assert "line 5000: is not UTF-8 text" in r.stderr
        assert r.stdout.count("\n") == 4999  # the header and every row before line 5,000
    with_o = cli(
        "batch",
        "-",
        "-o",
        str(tmp_path / "q.csv"),
        input=data.decode("latin-1"),
        encoding="latin-1",
    )
    assert with_o.returncode == 2 and "line 5000: is not UTF-8" in with_o.stderr
    assert "internal error" not in with_o.stderr and not (tmp_path / "q.csv").exists()


# ------------------------------------------------------------ 9. finance's whole range


@pytest.mark.parametrize("extra", [[], ["--deferred"]])
def test_finance_600_months_at_zero_apr_works(runner, extra: list[str]) -> None:
    result = runner.invoke(
        app, ["finance", "10000", "--months", "600", "--apr", "0", *extra, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["monthly_payment"] == "16.67" and doc["total_paid"] == "10000.00"


# ------------------------------------------------------------ 10. --template --format


def test_template_refuses_another_format(runner) -> None:
    result = runner.invoke(app, ["prices", "--template", "--format", "json"])
    assert result.exit_code == 2 and "--format json cannot be used with --template" in result.stderr
    assert result.stdout == ""


# ------------------------------------------------------------ 11. permissions


def test_new_files_follow_the_umask_and_force_keeps_the_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.txt", "x")
        os.umask(0o077)
        write_atomic(tmp_path / "b.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.txt").stat().st_mode) == 0o600
    os.chmod(tmp_path / "a.txt", 0o640)
    write_atomic(tmp_path / "a.txt", "new", force=True)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640


def test_force_never_breaks_a_hard_link(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("old")
    os.link(first, second)
    with pytest.raises(OutputError, match="hard link"):
        write_atomic(first, "new", force=True)
    assert first.read_text() == second.read_text() == "old"
    assert os.stat(first).st_ino == os.stat(second).st_ino


# ------------------------------------------------------------ 12. YAML value errors

BAD_VALUES = [
    ("as_of: 2026-02-30", "is not a date"),
    ("as_of: !!int abc", "is not a whole number"),
    ("as_of: !!float abc", "is not a number"),
    ("as_of: !!timestamp nope", "is not a date"),
    ("as_of: " + "9" * 5000, "is not a whole number"),
    ("as_of: [2026-13-45]", "is not a date"),
]


@pytest.mark.parametrize(("line", "needle"), BAD_VALUES)
def test_yaml_value_errors_are_clean_in_books_clinic_books_and_config(
    runner, tmp_path: Path, line: str, needle: str
) -> None:
    book = tmp_path / "b.yaml"
    book.write_text(f"title: t\n{line}\n")
    clinic = tmp_path / "c.yaml"
    clinic.write_text(f"extends: national\n{line}\n")
    config = tmp_path / "config.yaml"
    config.write_text(f"state: NY\nformat: {line.split(': ', 1)[1]}\n")
    for args, env in (
        (["validate", str(book)], None),
        (["validate", str(clinic)], None),
        (["estimate", "iv", "--pricing", str(clinic)], None),
        (["estimate", "iv"], {"KETACOST_CONFIG": str(config)}),
    ):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 2, (args, result.output)
        assert needle in result.stderr and "(line " in result.stderr, (args, result.stderr)
        assert "internal error" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------ 13. long names


def test_long_output_names_and_config_paths(runner, tmp_path: Path) -> None:
    long = tmp_path / ("a" * 300 + ".json")
    result = runner.invoke(app, ["finance", "100", "--months", "2", "-f", "json", "-o", str(long)])
    assert result.exit_code == 2 and "at most 255" in result.stderr
    near = tmp_path / ("b" * 250)  # fits, though its temporary file's name must be cut
    result = runner.invoke(app, ["finance", "100", "--months", "2", "-f", "json", "-o", str(near)])
    assert result.exit_code == 0 and near.exists()
    result = runner.invoke(app, ["estimate", "iv"], env={"KETACOST_CONFIG": "c/" * 2500})
    assert result.exit_code == 2 and "KETACOST_CONFIG" in result.stderr
    assert "too long" in result.stderr and len(result.stderr) < 300


# ------------------------------------------------------------ 14. pipes and encodings


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    src = tmp_path / "big.csv"
    src.write_text("treatment,price\n" + "iv,500\n" * 50_000)
    proc = subprocess.Popen(
        [BIN, "batch", str(src)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=HANG_GUARD) == 141
    assert err == ""


@pytest.mark.slow
def test_a_non_utf8_output_encoding_prints_with_replacements() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    r = cli("estimate", "iv", *BASE, env=env)
    assert r.returncode == 0, r.stderr
    assert "IV ketamine infusion ? cost estimate" in r.stdout
    r = cli("estimate", "ivv", env=env)
    assert r.returncode == 2 and "unknown treatment" in r.stderr
    # The C locale with Python's UTF-8 coercion turned off: ASCII too.
    c_locale = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    c_locale.pop("PYTHONIOENCODING", None)
    r = cli("compare", *BASE, "--format", "markdown", env=c_locale)
    assert r.returncode == 0 and "internal error" not in r.stderr, r.stderr


# ------------------------------------------------------------ 15. a missing config file


def test_a_missing_config_named_by_the_env_is_an_error(runner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["estimate", "iv"], env={"KETACOST_CONFIG": str(tmp_path / "no")})
    assert result.exit_code == 2
    assert "KETACOST_CONFIG" in result.stderr and "no such file" in result.stderr


def test_no_config_file_at_the_default_place_is_fine(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KETACOST_CONFIG"}
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    env["HOME"] = str(tmp_path)
    r = cli("finance", "100", "--months", "2", env=env)
    assert r.returncode == 0, r.stderr


# ------------------------------------------------------------ 16. SIGTERM / SIGHUP


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_batch_o_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    proc = subprocess.Popen(
        [BIN, "batch", "-", "-o", "out.csv"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    proc.stdin.write(b"treatment,price\niv,500\n")
    proc.stdin.flush()  # stdin stays open: the batch is still running
    deadline = time.monotonic() + HANG_GUARD
    while not list(tmp_path.glob(".out.csv.*.tmp")):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signum)
    assert proc.wait(timeout=HANG_GUARD) == 128 + signum
    proc.stdin.close()
    assert list(tmp_path.iterdir()) == []


def test_an_ignored_sighup_stays_ignored() -> None:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with output_module._signals_unwind():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_every_refusal_is_a_ketacost_error() -> None:
    assert issubclass(OutputError, KetacostError)
