"""Writes the PyTorch reference fixtures under test/fixtures/.

    /usr/bin/python3 scripts/reference/make_fixtures.py            # every family
    /usr/bin/python3 scripts/reference/make_fixtures.py pooling    # one family

Needs PyTorch (Debian: apt-get install python3-torch). The test suite reads the JSON it writes and does
not need PyTorch itself.
"""

import glob
import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from common import FixtureWriter  # noqa: E402


def families():
    here = os.path.dirname(__file__)
    return sorted(os.path.basename(p)[len("cases_"):-3] for p in glob.glob(os.path.join(here, "cases_*.py")))


def main(argv):
    chosen = argv or families()
    for family in chosen:
        module = importlib.import_module(f"cases_{family}")
        writer = FixtureWriter(family)
        module.build(writer)
        writer.write()


if __name__ == "__main__":
    main(sys.argv[1:])
