"""Feed `ketacost validate` a set of hostile price books and print what each returns.

Run:  .venv/bin/python benchmarks/hostile_books.py
Prints one row per case: exit code, time in ms, and the first line of the message.
Besides malformed books it covers issue 15's items 5 (devices and a FIFO with no
writer, as a book, a config file and a batch file), 6 (a book that validates only if
its counts are bounded; each such book is also given to `estimate`) and 12 (YAML
values its constructors choke on, in a book, a clinic book and a config file).
Every case must be refused (exit 2) in well under a second; the script exits 1 if one
is not. (The unit tests assert the same cases; this script reports the timings.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "ketacost"

ALIAS_BOMB = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


Case = tuple[str, list[str], dict[str, str]]


def _set_phase(base: str, sessions: str, span: str) -> str:
    """The bundled book with the IV induction phase's counts replaced."""
    block = re.compile(
        r"(- id: induction\n(?:.*\n)*?\s+sessions:\n(?:.*\n)*?)(\s+low: )\d+\n"
        r"(\s+typical: )\d+\n(\s+high: )\d+\n"
    )
    out, n = block.subn(
        lambda m: f"{m[1]}{m[2]}{sessions}\n{m[3]}{sessions}\n{m[4]}{sessions}\n", base, 1
    )
    assert n == 1, "the IV induction phase was not found"
    span_block = re.compile(
        r"(span_weeks:\n(?:.*\n)*?)(\s+low: )\d+\n(\s+typical: )\d+\n(\s+high: )\d+\n"
    )
    out, n = span_block.subn(lambda m: f"{m[1]}{m[2]}{span}\n{m[3]}{span}\n{m[4]}{span}\n", out, 1)
    assert n == 1, "the IV induction span was not found"
    return out


def cases(folder: Path) -> list[Case]:
    def write(name: str, data: str | bytes) -> Path:
        p = folder / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
        return p

    def book(name: str, path: Path | str) -> Case:
        return (name, ["validate", str(path)], {})

    base = (Path(__file__).resolve().parents[1] / "data" / "pricing.yaml").read_text()
    fifo = folder / "fifo.yaml"
    os.mkfifo(fifo)
    good_cfg = write("good-config.yaml", "")
    out: list[Case] = [
        book("empty file", write("empty.yaml", "")),
        book("a list, not a mapping", write("list.yaml", "- a\n- b\n")),
        book("duplicate keys", write("dup.yaml", "title: a\ntitle: b\n")),
        book(
            "unknown key",
            write("unknown.yaml", base.replace("currency: USD", "currency: USD\ncolour: red", 1)),
        ),
        book("python object tag", write("tag.yaml", "a: !!python/object/apply:os.system [id]\n")),
        book("alias bomb", write("bomb.yaml", ALIAS_BOMB)),
        book("deep nesting", write("deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n")),
        book(
            "huge number", write("huge.yaml", base.replace('high: "1500.00"', 'high: "1e400"', 1))
        ),
        book("NaN", write("nan.yaml", base.replace('low: "300.00"', "low: .nan", 1))),
        book("Infinity", write("inf.yaml", base.replace('high: "1500.00"', "high: .inf", 1))),
        book(
            "string for a number",
            write("str.yaml", base.replace('low: "300.00"', 'low: "three hundred"', 1)),
        ),
        book(
            "float for money", write("float.yaml", base.replace('low: "300.00"', "low: 300.1", 1))
        ),
        book("low > high", write("order.yaml", base.replace('low: "300.00"', 'low: "3000.00"', 1))),
        book("non-UTF-8 bytes", write("latin.yaml", b"title: caf\xe9\n")),
        book("a directory", folder),
        book("missing file", folder / "absent.yaml"),
        book("huge file (3 MB)", write("big.yaml", "# " + "x" * 3_000_000 + "\n")),
        # 5: devices and a FIFO, as a book, a config file and a batch file
        book("5 /dev/zero book", "/dev/zero"),
        book("5 /dev/urandom book", "/dev/urandom"),
        book("5 FIFO book, no writer", fifo),
        ("5 /dev/zero config", ["prices"], {"KETACOST_CONFIG": "/dev/zero"}),
        ("5 FIFO config", ["prices"], {"KETACOST_CONFIG": str(fifo)}),
        ("5 /dev/urandom batch", ["batch", "/dev/urandom"], {}),
        ("5 FIFO batch", ["batch", str(fifo)], {}),
    ]
    # 6: counts and spans estimate cannot lay out quickly; estimate is asked too
    for name, sessions, span in (
        ("6 1,000,000 sessions", "1000000", "3"),
        ("6 span_weeks 1e9", "6", '"1e9"'),
        ("6 span_weeks 100,000", "6", "100000"),
    ):
        path = write(f"counts-{len(out)}.yaml", _set_phase(base, sessions, span))
        out.append(book(name, path))
        out.append((name + " (estimate)", ["estimate", "iv", "--pricing", str(path)], {}))
    # 12: YAML values the constructors cannot build
    values = {
        "bad date 2026-02-30": "2026-02-30",
        "!!int abc": "!!int abc",
        "!!float abc": "!!float abc",
        "!!timestamp nope": "!!timestamp nope",
        "5,000-digit integer": "9" * 5000,
    }
    for name, value in values.items():
        out.append(book(f"12 book {name}", write(f"v{len(out)}.yaml", f"as_of: {value}\n")))
        clinic = write(f"c{len(out)}.yaml", f"extends: national\nas_of: {value}\n")
        out.append(book(f"12 clinic {name}", clinic))
        cfg = write(f"cfg{len(out)}.yaml", f"state: {value}\n")
        out.append((f"12 config {name}", ["prices"], {"KETACOST_CONFIG": str(cfg)}))
    source = base.replace("accessed: 2026-11-20", "accessed: 2026-13-45", 1)
    if source == base:  # the book's source dates are written another way
        source = re.sub(
            r"(\n\s+(?:date|published|accessed): )\d{4}-\d\d-\d\d",
            r"\g<1>2026-13-45",
            base,
            count=1,
        )
    out.append(book("12 source date 2026-13-45", write("srcdate.yaml", source)))
    for item in out:
        item[2].setdefault("KETACOST_CONFIG", str(good_cfg))
    return out


def _in_process(args: list[str], env: dict[str, str]) -> str:
    """The refusal alone, without starting Python: loading the book (or the config) in
    this process, in ms; blank for a batch file."""
    from ketacost.book import pricebook
    from ketacost.config import load_settings
    from ketacost.errors import KetacostError

    start = time.perf_counter()
    try:
        if args[0] == "validate":
            pricebook.load(args[1], all_errors=True)
        elif args[0] == "estimate":
            pricebook.load(args[-1])
        elif args[0] == "prices":
            load_settings(Path(env["KETACOST_CONFIG"]))
        else:
            return ""
    except KetacostError:
        pass
    return f"{(time.perf_counter() - start) * 1000:.1f}"


def main() -> int:
    slow_or_accepted = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'case':36} {'exit':>4} {'ms':>6} {'in-proc':>7}  message")
        for name, args, env in cases(folder):
            start = time.perf_counter()
            r = subprocess.run(
                [str(BIN), *args],
                capture_output=True,
                text=True,
                env={**os.environ, "NO_COLOR": "1", **env},
                timeout=60,  # a FIFO that blocked would hang here
                check=False,
            )
            ms = (time.perf_counter() - start) * 1000
            first = ((r.stderr or r.stdout).strip().splitlines() or [""])[0]
            first = first.replace(str(folder), "<tmp>")
            inner = _in_process(args, env)
            if r.returncode != 2 or ms >= 1000:
                slow_or_accepted += 1
            print(f"{name:36} {r.returncode:>4} {ms:6.0f} {inner:>7}  {first[:90]}")
    if slow_or_accepted:
        print(f"\n{slow_or_accepted} case(s) accepted or slower than 1 s")
    return 1 if slow_or_accepted else 0


if __name__ == "__main__":
    sys.exit(main())
