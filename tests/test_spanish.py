"""Issue 20, item 8: Spanish handouts, from a gettext catalog that has every message."""

from __future__ import annotations

import datetime as dt
import functools
import html
import importlib.util
import json
import re
from pathlib import Path

import pytest

from ketacost import i18n
from ketacost.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("catalog", ROOT / "scripts" / "catalog.py")
assert spec and spec.loader
catalog = importlib.util.module_from_spec(spec)
spec.loader.exec_module(catalog)

ENV = {"KETACOST_TODAY": "2026-11-27"}
SPANISH = i18n.read_po(i18n.catalog_path("es").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _english_after() -> object:
    yield
    i18n.set_language(None)


def run(runner, *args: str, code: int = 0, env: dict[str, str] | None = None):
    result = runner.invoke(app, list(args), env={**ENV, **(env or {})})
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def test_every_message_has_spanish() -> None:
    """A string marked for translation (or a price-book word shown on a page) with no
    Spanish entry fails here; `scripts/catalog.py` adds it, a translator fills it."""
    missing = [m for m in catalog.all_messages() if m not in SPANISH]
    assert not missing, missing[:10]


def test_spanish_keeps_every_field_of_its_message() -> None:
    field = re.compile(r"\{(\w*)\}")
    for msgid, msgstr in SPANISH.items():
        assert sorted(field.findall(msgid)) == sorted(field.findall(msgstr)), msgid


def test_po_reader_agrees_with_babel() -> None:
    from babel.messages.pofile import read_po

    with i18n.catalog_path("es").open("rb") as fh:
        babel = {str(m.id): str(m.string) for m in read_po(fh) if m.id and m.string}
    assert babel == SPANISH


def test_dates_as_cldr_writes_them_for_us_spanish() -> None:
    from babel.dates import format_date

    i18n.set_language("es")
    for month in range(1, 13):
        day = dt.date(2026, month, 5)
        assert i18n.fmt_date(day) == format_date(day, "medium", locale="es_US")
        assert i18n.fmt_month(2026, month) == format_date(day, "MMM y", locale="es_US")
    i18n.set_language("en")
    assert i18n.fmt_date(dt.date(2026, 12, 1)) == "2026-12-01"


def _body_text(page: str) -> str:
    """The handout's words: tags out, source titles and links out (a cited page keeps
    its own title), price-book paths such as treatments.iv.consult_fee out."""
    body = page.split("<body>", 1)[1]
    body = re.sub(r"<a [^>]*>.*?</a>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    text = html.unescape(body)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\b[a-z_]+(\.[a-z0-9_]+)+\b", " ", text)
    return " ".join(text.split())


@functools.cache
def _english_patterns() -> list[tuple[list[str], re.Pattern[str]]]:
    """Every English message of three words or more whose Spanish differs, as a pattern
    (its {fields} match anything), with the pattern's literal words."""
    out = []
    for msgid, msgstr in SPANISH.items():
        if msgid == msgstr or len(msgid.split()) < 3:
            continue
        words = re.split(r"\{\w*\}", " ".join(msgid.split()))
        pattern = ".+?".join(re.escape(w) for w in words)
        if len(max(words, key=len)) >= 12:
            out.append((words, re.compile(pattern)))
    return out


def _english_sentences(text: str) -> list[str]:
    # A pattern can match only where each of its words is in the text; checking that
    # first skips the regex, whose `.+?` gaps backtrack for seconds over a whole page.
    return [
        pattern.pattern
        for words, pattern in _english_patterns()
        if all(w in text for w in words) and pattern.search(text)
    ]


ENGLISH_WORDS = re.compile(r"\b(the|you|your|and|with|per|of|from|is|are|this|which)\b")


@pytest.mark.parametrize("treatment", ["iv", "spravato", "oral"])
def test_spanish_html_handout_has_no_english_sentences(runner, tmp_path: Path, treatment) -> None:
    out = tmp_path / "x.html"
    run(runner, "estimate", treatment, "--lang", "es", "--format", "html", "-o", str(out))
    page = out.read_text(encoding="utf-8")
    assert '<html lang="es">' in page
    text = _body_text(page)
    assert not _english_sentences(text)
    english = sorted(set(ENGLISH_WORDS.findall(text)))
    assert not english, (english, text[:2000])
    assert "Es un cálculo de costos, no un consejo médico." in text
    assert re.search(r"\$\d{1,3}(,\d{3})*\.\d{2}", text)  # $1,234.56, as US Spanish writes it
    assert "27 nov 2026" in text


def test_the_acceptance_command_as_written(runner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run(runner, "estimate", "iv", "--lang", "es", "--format", "html", "-o", "x.html")
    page = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert 'lang="es"' in page and "Infusión IV de ketamina" in page


@pytest.mark.parametrize(
    ("args", "spanish"),
    [
        (["estimate", "iv"], ["Lo que usted paga", "Necesita que alguien lo lleve a casa."]),
        (["estimate", "oral", "--format", "markdown"], ["## En cada visita", "No maneje"]),
        (["tips", "iv"], ["Formas de pagar menos", "ahorra unos"]),
        (["tips", "iv", "--format", "markdown"], ["# Formas de pagar menos", "Usted paga unos"]),
        (["schedule", "iv"], ["calendario de visitas", "Total acumulado por mes"]),
        (["schedule", "iv", "--format", "html"], ['lang="es"', "Acumulado"]),
        (["schedule", "iv", "--format", "ics"], ["Cuente con unos 90 minutos", "no maneje"]),
        (["estimate", "spravato", "--insurance", "commercial", "--format", "json"], ["Periodo:"]),
    ],
)
def test_estimates_tips_and_schedules_in_spanish(runner, args, spanish) -> None:
    out = " ".join(run(runner, *args, "--lang", "es").stdout.split())
    for words in spanish:
        assert words in out, words


def test_language_from_option_before_or_after_env_and_config(runner, tmp_path: Path) -> None:
    before = run(runner, "--lang", "es", "estimate", "iv").stdout
    after = run(runner, "estimate", "iv", "--lang", "es").stdout
    assert before == after and "Lo que usted paga" in after
    assert "Lo que usted paga" in run(runner, "estimate", "iv", env={"KETACOST_LANG": "es"}).stdout
    config = tmp_path / "config.yaml"
    config.write_text("lang: es\n", encoding="utf-8")
    env = {"KETACOST_CONFIG": str(config)}
    assert "Lo que usted paga" in run(runner, "estimate", "iv", env=env).stdout
    english = run(runner, "estimate", "iv", "--lang", "en", env=env).stdout
    assert "What you pay" in english
    # each run starts from English again
    assert "What you pay" in run(runner, "estimate", "iv").stdout


def test_unknown_language_is_refused(runner) -> None:
    result = run(runner, "estimate", "iv", "--lang", "fr", code=2)
    assert "--lang" in result.stderr and "en, es" in result.stderr


@pytest.mark.parametrize("fmt", ["gfe-markdown", "gfe-html"])
def test_good_faith_estimate_in_spanish_with_the_rights_text(runner, fmt: str) -> None:
    args = ["estimate", "iv", "--price", "500", "--format", fmt, "--lang", "es"]
    out = " ".join(run(runner, *args, "--dob", "01/02/1980").stdout.split())
    for words in (
        "Estimado de Buena Fe para Artículos y Servicios de Atención Médica",
        "Sus derechos si la factura es más alta",
        "tiene derecho a disputar la factura",
        "1-800-985-3059",
        "2 ene 1980",
        "Total de cobros esperados",
    ):
        assert words in out, words
    assert "Your rights if the bill is higher" not in out
    assert "federal law allows you to dispute" not in out


@pytest.mark.parametrize("fmt", ["table", "ics", "csv"])
def test_the_spanish_visit_calendar_names_the_consultation_in_spanish(runner, fmt) -> None:
    out = run(runner, "schedule", "iv", "--lang", "es", "--format", fmt).stdout
    assert "Consulta + Serie inicial" in out
    assert "Consultation" not in out


@pytest.mark.parametrize(
    ("lang", "home", "clinic"),
    [
        ("en", "minutes for the session at home", "minutes at the visit"),
        ("es", "minutos para la sesión en casa", "minutos en la visita"),
    ],
)
def test_a_home_dose_in_the_calendar_is_not_called_a_visit(runner, lang, home, clinic) -> None:
    from icalendar import Calendar

    out = run(runner, "schedule", "oral", "--lang", lang, "--format", "ics").stdout
    texts = [str(e["description"]) for e in Calendar.from_ical(out).walk("VEVENT")]
    assert texts and all(home in d and clinic not in d for d in texts)
    iv = run(runner, "schedule", "iv", "--lang", lang, "--format", "ics").stdout
    assert clinic in str(Calendar.from_ical(iv).walk("VEVENT")[0]["description"])


@pytest.mark.parametrize("state", [None, "CA", "NY"])
def test_the_medicare_locality_line_in_spanish(runner, state: str | None) -> None:
    # The locality note was the one assumption line left in English.
    args = ["estimate", "spravato", "--lang", "es", "--insurance", "medicare", "--format", "json"]
    doc = json.loads(run(runner, *args, *(["--state", state] if state else [])).stdout)
    text = " ".join(doc["assumptions"])
    assert "No se admite la búsqueda por código postal." in text
    assert not re.search(r"\b(locality|localities|national|from CMS)\b", text), text
