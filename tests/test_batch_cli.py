"""The batch command end to end: files in, files out, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ketacost.cli.app import app

FIVE = (
    "id,treatment,price,sessions,no_maintenance,consult,start\n"
    "a,iv,500,6,yes,0,2026-12-01\n"
    "b,ivv,500,6,yes,0,2026-12-01\n"
    "c,spravato,,,,,2026-12-01\n"
    "d,iv,-5,6,yes,0,2026-12-01\n"
    "e,kap,,,,,2026-12-01\n"
)


def test_five_rows_two_bad(runner, tmp_path: Path) -> None:
    src = tmp_path / "patients.csv"
    src.write_text(FIVE)
    out = tmp_path / "quotes.csv"
    result = runner.invoke(app, ["batch", str(src), "-o", str(out)])
    assert result.exit_code == 1
    assert "5 row(s) quoted, 2 with errors." in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", "e"]
    errors = {r["id"]: r["error"] for r in rows if r["error"]}
    assert set(errors) == {"b", "d"}
    assert errors["b"].startswith("line 3: unknown treatment 'ivv'")
    assert errors["d"].startswith("line 5: --price must not be negative")
    assert rows[0]["patient_typical"] == "3000.00"


def test_stdin_jsonl_and_all_good_exits_0(runner) -> None:
    good = "\n".join(FIVE.splitlines()[:2]) + "\n"
    result = runner.invoke(app, ["batch", "-", "--format", "jsonl"], input=good)
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["patient_typical"] == "3000.00"


def test_unknown_columns_and_missing_file(runner, tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_text("treatment,colour,size\niv,red,9\n")
    result = runner.invoke(app, ["batch", str(src)])
    assert result.exit_code == 2 and "colour, size" in result.stderr
    result = runner.invoke(app, ["batch", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_wrong_encoding_is_a_short_error(runner, tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_bytes("treatment,x_note\niv,caf\xe9\n".encode("latin-1"))
    result = runner.invoke(app, ["batch", str(src)])
    assert result.exit_code == 2 and "not UTF-8" in result.stderr
    assert "Traceback" not in result.output


def test_output_is_atomic_and_never_clobbered(runner, tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_text(FIVE)
    out = tmp_path / "quotes.csv"
    out.write_text("keep")
    result = runner.invoke(app, ["batch", str(src), "-o", str(out)])
    assert result.exit_code == 2 and out.read_text() == "keep"
    # a line the parser cannot get past (a 2 MiB cell) stops the batch part-way: the
    # rows before it were streamed to the temporary file, and the old file must survive
    src.write_text(FIVE + "f,iv,,,,,,," + "x" * (2 * 1024 * 1024) + "\n")
    result = runner.invoke(app, ["batch", str(src), "-o", str(out), "--force"])
    assert result.exit_code == 2 and out.read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv", "quotes.csv"]


def test_a_nul_in_a_file_name_is_a_short_error(runner) -> None:
    # found by the thorough CLI fuzz run
    for args in (
        ["batch", "iv\x00"],
        ["estimate", "iv", "-o", "q\x00.md"],
        ["estimate", "iv", "--pricing", "b\x00.yaml"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "internal error" not in result.stderr and "Traceback" not in result.output
