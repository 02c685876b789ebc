"""apiscan: API landscape assessment and governance scanner."""

__version__ = "0.1.0"
