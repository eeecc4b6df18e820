"""ansible-rulebook (from .venv-eda) running a rulebook of the collection against the simulator.

Used by tests/integration/test_eda.py and the EDA benchmarks. The venv is made on first use by scripts/venv.sh
(``tests/run`` makes it before the integration stage); ansible-rulebook needs a Java 17+ runtime (``.ci/run``
installs Debian's openjdk-17-jre-headless when ``java`` is missing).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

from pd_harness import ADMIN_EMAIL, ADMIN_TOKEN, COLLECTIONS, REPO, leaked_secrets, masked

VENV = os.path.join(REPO, ".venv-eda")


def ensure_venv():
    """The venv with ansible-rulebook (made or updated when its requirements changed)."""
    subprocess.run([os.path.join(REPO, "scripts", "venv.sh"), VENV, "3.12",
                    os.path.join(REPO, "tests", "requirements-eda.txt")], check=True, capture_output=True)
    return os.path.join(VENV, "bin")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Rulebook(object):
    """``ansible-rulebook -r RULEBOOK`` in the background; its output goes to a file, read by :attr:`output`."""

    def __init__(self, rulebook, sim_url, variables, secret, workdir, verbose=True):
        bin_dir = ensure_venv()
        self.port = variables.setdefault("webhook_port", free_port())
        self.url = "http://127.0.0.1:%d/pagerduty" % self.port
        vars_file = os.path.join(workdir, "rulebook-vars.json")
        with open(vars_file, "w") as handle:
            json.dump(variables, handle)
        inventory = os.path.join(workdir, "inventory.yml")
        with open(inventory, "w") as handle:
            handle.write("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n")
        self.log_path = os.path.join(workdir, "ansible-rulebook.log")
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "PAGERDUTY_")))
        env.update(PATH=bin_dir + os.pathsep + env.get("PATH", ""), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
                   ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
                   ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_DEPRECATION_WARNINGS="false",
                   ANSIBLE_LOCAL_TEMP=os.path.join(workdir, "ansible-local"), PAGERDUTY_API_URL=sim_url,
                   PAGERDUTY_EVENTS_URL=sim_url, PAGERDUTY_API_TOKEN=ADMIN_TOKEN, PAGERDUTY_FROM_EMAIL=ADMIN_EMAIL,
                   PAGERDUTY_WEBHOOK_SECRET=secret)
        command = [os.path.join(bin_dir, "ansible-rulebook"), "-r", rulebook, "-i", inventory, "-e", vars_file,
                   "-E", "PAGERDUTY_WEBHOOK_SECRET"] + (["-v"] if verbose else [])
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, env=env, cwd=workdir, stdout=self._log, stderr=subprocess.STDOUT)
        self.started = time.monotonic()

    def wait_listening(self, timeout=120):
        """Wait until the source accepts connections; the seconds it took from the start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("ansible-rulebook exited with %s:\n%s" % (self.process.returncode,
                                                                               self.output[-4000:]))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return time.monotonic() - self.started
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the source did not listen within %ss:\n%s" % (timeout, self.output[-4000:]))

    @property
    def output(self):
        with open(self.log_path, errors="replace") as handle:
            return handle.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        leaked = leaked_secrets(self.output)
        assert not leaked, "ansible-rulebook printed secret(s):\n%s" % masked(self.output)[-4000:]


def post(url, body, headers, timeout=10):
    """POST raw bytes; (status, decoded answer)."""
    import urllib.error
    import urllib.request
    request = urllib.request.Request(url, data=body, method="POST", headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def temporary_directory():
    return tempfile.mkdtemp(prefix="eda-")


if __name__ == "__main__":
    sys.exit("a helper module of the tests")
