"""``python -m mbl``: the ``mbl`` command."""

from mbl.cli import main

if __name__ == "__main__":
    main()
