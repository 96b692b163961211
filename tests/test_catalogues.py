"""UI-1: every catalogue is complete — no untranslated and no fuzzy entry."""

import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "src" / "folkmoot" / "locale"


@pytest.mark.parametrize("language", ["es", "fr", "ja"])
def test_catalogue_is_fully_translated(language: str):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text


@pytest.mark.parametrize("language", ["es", "fr", "ja"])
def test_compiled_catalogue_is_current(language: str):
    """`make install` compiles the catalogues; a stale .mo would show old translations."""
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime
