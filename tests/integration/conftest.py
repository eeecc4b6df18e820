"""Integration tests: real ``ansible-playbook`` and ``ansible -m`` runs against the PagerDuty simulator.

Each pytest worker starts its own simulator (contract validation required) and
resets it before every test; tests that run a module in-process (the fault
matrix) use a simulator served by a thread of the worker instead (``local_sim``).  After every test, what the simulator logged and
kept (its request log and the events it received) is scanned for the secrets
the tests use.  See ``pd_harness.py``.
"""

import json

import pytest

from pd_harness import Ansible, Simulator, leaked_secrets


@pytest.fixture(scope="session")
def simulator():
    sim = Simulator()
    yield sim
    sim.stop()


def assert_nothing_kept_secrets(simulator):
    kept = json.dumps(simulator.requests()) + json.dumps(simulator.events())
    leaked = leaked_secrets(kept)
    if leaked:  # (not an assert: pytest would print the secrets it compared)
        pytest.fail("the simulator's request log or events hold %d secret(s)" % len(leaked))


@pytest.fixture
def sim(simulator):
    simulator.reset()
    yield simulator
    assert_nothing_kept_secrets(simulator)


@pytest.fixture(scope="session")
def in_process_simulator():
    """A simulator served by a thread of this worker, for the modules run in-process (see in_process.py)."""
    sim = Simulator(in_process=True)
    yield sim
    sim.stop()


@pytest.fixture
def local_sim(in_process_simulator):
    in_process_simulator.reset()
    yield in_process_simulator
    assert_nothing_kept_secrets(in_process_simulator)


@pytest.fixture
def ansible(sim, tmp_path):
    return Ansible(sim, tmp_path)
