"""``python -m legacyio``: the same command line as the ``legacyio`` console script."""

from legacyio.cli import main

if __name__ == "__main__":
    main()
