"""A few SGR codes, applied only when the caller asked for colour.

Kept dependency-free (no click.style / colorama) so text reporters import in microseconds, and so
whether colour is on is decided once by the CLI (tty, NO_COLOR, --color) and passed in.
"""

from __future__ import annotations

from apiscan.models.findings import Severity

RESET = "\x1b[0m"
CODES = {
    "bold": "1",
    "dim": "2",
    "underline": "4",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
    "white": "37",
    "gray": "90",
}

SEVERITY_STYLE: dict[Severity, tuple[str, ...]] = {
    Severity.CRITICAL: ("bold", "magenta"),
    Severity.HIGH: ("red",),
    Severity.MEDIUM: ("yellow",),
    Severity.LOW: ("cyan",),
    Severity.INFO: ("gray",),
}


def paint(text: str, *styles: str, enabled: bool) -> str:
    if not enabled or not styles or not text:
        return text
    codes = ";".join(CODES[s] for s in styles)
    return f"\x1b[{codes}m{text}{RESET}"
