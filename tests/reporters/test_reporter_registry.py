"""The registry: every format resolves lazily, unknown names fail with the list of known ones."""

from __future__ import annotations

import subprocess
import sys

import pytest

from apiscan.reporters import DEFAULT_REPORTER, EXTENSIONS, REPORTERS, get_reporter


def test_every_registered_format_renders(result):
    for name in REPORTERS:
        out = get_reporter(name)(result, color=False)
        assert isinstance(out, str) and out.endswith("\n"), name


def test_default_and_extensions_cover_the_registry():
    assert DEFAULT_REPORTER in REPORTERS
    assert set(EXTENSIONS) == set(REPORTERS)


def test_names_are_case_insensitive():
    assert get_reporter("SARIF") is get_reporter("sarif")


def test_unknown_format_lists_known_names():
    with pytest.raises(ValueError) as info:
        get_reporter("pdf-deluxe")
    text = str(info.value)
    assert "pdf-deluxe" in text
    for name in REPORTERS:
        assert name in text


def test_importing_the_registry_loads_no_reporter_and_no_jinja2():
    code = (
        "import sys, apiscan.reporters as r; r.get_reporter('stylish');"
        "bad = [m for m in sys.modules if m.startswith('jinja2') or m in"
        " ('apiscan.reporters.sarif', 'apiscan.reporters.junit', 'apiscan.reporters.markdown', 'xml.etree.ElementTree')];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_renderers_do_not_mutate_the_result(result):
    before = result.to_dict()
    for name in REPORTERS:
        get_reporter(name)(result, color=True)
    assert result.to_dict() == before
