"""`python -m apiscan` runs the same CLI as the `apiscan` console script."""

from apiscan.cli.main import main

if __name__ == "__main__":  # pragma: no cover
    main()
