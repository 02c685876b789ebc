"""Entry point placeholder while the verbs are built."""


def main() -> None:  # pragma: no cover - replaced by the click group
    raise SystemExit(0)
