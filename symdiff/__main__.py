"""Run the symdiff command line as `python -m symdiff`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
