"""Feed `ketacost validate` a set of hostile price books and print what each returns.

Run:  .venv/bin/python benchmarks/hostile_books.py
Prints one row per book: exit code, time in ms, and the first line of the message.
(The unit tests assert the same cases; this script reports the timings.)"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "ketacost"

ALIAS_BOMB = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


def cases(folder: Path) -> list[tuple[str, Path]]:
    def write(name: str, data: str | bytes) -> Path:
        p = folder / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
        return p

    base = (Path(__file__).resolve().parents[1] / "data" / "pricing.yaml").read_text()
    out = [
        ("empty file", write("empty.yaml", "")),
        ("a list, not a mapping", write("list.yaml", "- a\n- b\n")),
        ("duplicate keys", write("dup.yaml", "title: a\ntitle: b\n")),
        (
            "unknown key",
            write("unknown.yaml", base.replace("currency: USD", "currency: USD\ncolour: red", 1)),
        ),
        ("python object tag", write("tag.yaml", "a: !!python/object/apply:os.system [id]\n")),
        ("alias bomb", write("bomb.yaml", ALIAS_BOMB)),
        ("deep nesting", write("deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n")),
        ("huge number", write("huge.yaml", base.replace('high: "1500.00"', 'high: "1e400"', 1))),
        ("NaN", write("nan.yaml", base.replace('low: "300.00"', "low: .nan", 1))),
        ("Infinity", write("inf.yaml", base.replace('high: "1500.00"', "high: .inf", 1))),
        (
            "string for a number",
            write("str.yaml", base.replace('low: "300.00"', 'low: "three hundred"', 1)),
        ),
        ("float for money", write("float.yaml", base.replace('low: "300.00"', "low: 300.1", 1))),
        ("low > high", write("order.yaml", base.replace('low: "300.00"', 'low: "3000.00"', 1))),
        ("non-UTF-8 bytes", write("latin.yaml", b"title: caf\xe9\n")),
        ("a directory", folder),
        ("missing file", folder / "absent.yaml"),
        ("huge file (3 MB)", write("big.yaml", "# " + "x" * 3_000_000 + "\n")),
    ]
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'case':24} {'exit':>4} {'ms':>6}  message")
        for name, path in cases(folder):
            start = time.perf_counter()
            r = subprocess.run(
                [str(BIN), "validate", str(path)],
                capture_output=True,
                text=True,
                env={**os.environ, "NO_COLOR": "1"},
                check=False,
            )
            ms = (time.perf_counter() - start) * 1000
            first = (r.stderr or r.stdout).strip().splitlines()[0]
            first = first.replace(str(folder), "<tmp>")
            print(f"{name:24} {r.returncode:>4} {ms:6.0f}  {first[:110]}")


if __name__ == "__main__":
    main()
