#!/usr/bin/env python
"""The one helper for "the collection on the path, and a simulator running".

The tests, the demo, the docs build and the benchmarks all need the checkout
importable as ``ansible_collections.oncall.pagerduty`` and, most of them, a
PagerDuty simulator to talk to.  This is the only place that sets either up.

From Python::

    import devenv
    collections = devenv.link_collection()          # .cache/collections (or $ONCALL_COLLECTIONS_PATH)
    with devenv.simulator() as sim:                 # tests/pdsim on a free port, contract validation on
        env = devenv.ansible_env(sim.url)           # ANSIBLE_COLLECTIONS_PATH and PAGERDUTY_* for the simulator

From a shell::

    scripts/devenv.py collections                   # print the collections path (linking it first)
    scripts/devenv.py run [--simulator] [--sim-arg ARG ...] -- COMMAND [ARG ...]

``run`` starts COMMAND with ``ANSIBLE_COLLECTIONS_PATH`` set and, with
``--simulator``, a simulator running and ``PAGERDUTY_API_URL``,
``PAGERDUTY_EVENTS_URL``, ``PAGERDUTY_API_TOKEN``, ``PAGERDUTY_FROM_EMAIL`` and
``PAGERDUTY_ROUTING_KEY`` pointing at it (the simulator's seeded admin and
Checkout API service).  It exits with COMMAND's status.
"""

import argparse
import contextlib
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The seeded account of tests/pdsim/seeds/default.json: its admin, and the Checkout API service's routing key.
SIM_TOKEN = "pdsim-admin-token"
SIM_FROM_EMAIL = "admin@example.com"
SIM_ROUTING_KEY = "pdsimroutingkeycheckoutapi000001"


def collections_path():
    return os.environ.get("ONCALL_COLLECTIONS_PATH") or os.path.join(REPO, ".cache", "collections")


def link_collection():
    """Link the checkout as ``ansible_collections/oncall/pagerduty`` under the collections path; return that path."""
    collections = collections_path()
    namespace = os.path.join(collections, "ansible_collections", "oncall")
    link = os.path.join(namespace, "pagerduty")
    os.makedirs(namespace, exist_ok=True)
    if not os.path.lexists(link):
        try:
            os.symlink(REPO, link)
        except FileExistsError:  # another process made it first
            pass
    return collections


class Simulator(object):
    """A simulator process (``python tests/pdsim``) on a free port of 127.0.0.1."""

    def __init__(self, extra_args=(), require_validation=True, python=None):
        command = [python or sys.executable, os.path.join(REPO, "tests", "pdsim"), "--port", "0"]
        if require_validation:
            command.append("--require-validation")
        command += list(extra_args)
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.banner = self.process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", self.banner or "")
        if not match:
            self.process.kill()
            raise RuntimeError("the simulator did not start: %s %s" % (self.banner, self.process.stderr.read()))
        self.url = "http://127.0.0.1:%s" % match.group(1)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()


def in_process_simulator(require_validation=True, **options):
    """A simulator served by a thread of this process (``pdsim.running``), for tests that drive the client
    in-process too; with ``url``, ``banner`` and ``stop()`` like :class:`Simulator`.  Needs ``tests/`` importable
    (``pdsim``) and the test requirements (jsonschema, ...)."""
    sys.path.insert(0, os.path.join(REPO, "tests"))
    from pdsim import running
    sim = running(require_validation=require_validation, **options)
    sim.banner = "pdsim listening on %s (validation %s)" % (sim.url, "on" if sim.simulator.contract else "OFF")
    return sim


@contextlib.contextmanager
def simulator(extra_args=(), require_validation=True):
    sim = Simulator(extra_args, require_validation)
    try:
        yield sim
    finally:
        sim.stop()


def ansible_env(sim_url=None, base=None):
    """The environment for Ansible with this collection (and the simulator's connection, when given)."""
    env = dict(os.environ if base is None else base)
    env["ANSIBLE_COLLECTIONS_PATH"] = link_collection()
    if sim_url:
        env.update(PAGERDUTY_API_URL=sim_url, PAGERDUTY_EVENTS_URL=sim_url, PAGERDUTY_API_TOKEN=SIM_TOKEN,
                   PAGERDUTY_FROM_EMAIL=SIM_FROM_EMAIL, PAGERDUTY_ROUTING_KEY=SIM_ROUTING_KEY)
    return env


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    commands = parser.add_subparsers(dest="action", required=True)
    commands.add_parser("collections", help="print the collections path, linking the checkout into it")
    run = commands.add_parser("run", help="run a command with the collection (and a simulator)")
    run.add_argument("--simulator", action="store_true", help="start a simulator for the command")
    run.add_argument("--sim-arg", action="append", default=[], help="an argument for the simulator (repeatable)")
    run.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.action == "collections":
        print(link_collection())
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("run needs a command after --")
    if not args.simulator:
        return subprocess.call(command, env=ansible_env())
    with simulator(args.sim_arg) as sim:
        print(sim.banner.strip(), flush=True)
        return subprocess.call(command, env=ansible_env(sim.url))


if __name__ == "__main__":
    sys.exit(main())
