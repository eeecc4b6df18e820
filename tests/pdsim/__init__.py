"""pdsim: a stateful PagerDuty simulator (REST API v2 and Events API v2) for tests and demos.

Run it with ``python3 tests/pdsim --port 8580``.  See ``python3 tests/pdsim --help``,
``tests/pdsim/README.md`` (how it is laid out) and the README's "PagerDuty simulator" section.

In a test, serve one in-process on a background thread::

    with pdsim.running(require_validation=True) as sim:
        ...  # sim.url, sim.simulator
"""

from .server import RunningSimulator, running

__all__ = ["RunningSimulator", "running"]
