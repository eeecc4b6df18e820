"""Make the collection importable as ``ansible_collections.oncall.pagerduty`` and the simulator as ``pdsim``.

The collection is linked onto the path by ``scripts/devenv.py``, the one helper for that (and for starting a
simulator), which the demo, the docs build and the benchmarks use too.
"""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(REPO, "tests")
sys.path.insert(0, os.path.join(REPO, "scripts"))

import devenv  # noqa: E402

COLLECTIONS = devenv.link_collection()
for path in (COLLECTIONS, TESTS):
    if path not in sys.path:
        sys.path.insert(0, path)
