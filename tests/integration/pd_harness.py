"""The integration-test harness: a running simulator and real ``ansible-playbook`` / ``ansible`` runs.

Every run's output is scanned for the secrets the tests use; finding one fails the test.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TARGETS = os.path.join(HERE, "targets")
sys.path.insert(0, os.path.join(REPO, "scripts"))

import devenv  # noqa: E402  (the one helper for the collection's path and a running simulator)

COLLECTIONS = devenv.link_collection()
ADMIN_TOKEN = devenv.SIM_TOKEN
ROUTING_KEY = devenv.SIM_ROUTING_KEY
PLATFORM_KEY = "pdsimroutingkeyplatformdb0000001"
# Every token, routing key and secret value the tests use, in any test (unit tests included): none may be printed,
# logged by the simulator or kept in its events.
SECRETS = (ADMIN_TOKEN, ROUTING_KEY, PLATFORM_KEY, "pdsim-readonly-token", "pdsim-wrong-token",
           "pdsim-admin-second-token", "hunter2-no-log-secret-value", "secret-token", "device-token",
           # webhook signing secrets of the EDA source's tests, and a webhook subscription's custom header value
           "pdsim-webhook-secret-unit-0001", "pdsim-webhook-secret-unit-0002", "pdsim-webhook-custom-header-value")
# The signing secrets the simulator makes for webhook subscriptions (pdsim/model/webhooks.py, SECRET_PREFIX).
SECRET_PATTERNS = (re.compile(r"pdsim-whsec-[0-9a-f]{8,}"),)
ADMIN_EMAIL = devenv.SIM_FROM_EMAIL


def leaked_secrets(text):
    """The secrets found in ``text``."""
    return [secret for secret in SECRETS if secret in text] + [
        match.group(0) for pattern in SECRET_PATTERNS for match in pattern.finditer(text)]


def masked(text):
    """``text`` with each secret replaced by its place in SECRETS, to report a leak without repeating it."""
    for number, secret in enumerate(SECRETS):
        text = text.replace(secret, "<SECRETS[%d]>" % number)
    for pattern in SECRET_PATTERNS:
        text = pattern.sub("<a webhook secret>", text)
    return text


def scan_files(paths):
    """Report every line of these files (test or Molecule output) that holds a secret; the number of such lines."""
    found = 0
    for path in paths:
        with open(path, errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if leaked_secrets(line):
                    found += 1
                    print("%s:%d: %s" % (path, number, masked(line.rstrip("\n"))))
    return found


class Simulator(object):
    """A running simulator (contract validation required) and helpers to drive and inspect it."""

    def __init__(self, extra_args=(), in_process=False):
        if in_process:      # served by a thread of this process, for the client driven in-process too
            self._server = devenv.in_process_simulator(require_validation=True)
        else:
            self._server = devenv.Simulator(extra_args, require_validation=True)
        self.url = self._server.url
        assert "validation on" in self._server.banner, self._server.banner

    def stop(self):
        self._server.stop()

    # -- raw HTTP -----------------------------------------------------------
    def call(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def rest(self, method, path, body=None, sender=ADMIN_EMAIL):
        headers = {"Authorization": "Token token=%s" % ADMIN_TOKEN,
                   "Accept": "application/vnd.pagerduty+json;version=2", "Content-Type": "application/json"}
        if sender and method != "GET":
            headers["From"] = sender
        status, body = self.call(method, path, body, headers)
        assert status < 400, (method, path, status, body)
        return body

    # -- controls ---------------------------------------------------------------
    def reset(self, **body):
        self.call("POST", "/_sim/reset", body)

    def reset_without_abilities(self, *abilities):
        """Reset to the default seed minus some account abilities (PagerDuty answers 402 for what they allow)."""
        with open(os.path.join(REPO, "tests", "pdsim", "seeds", "default.json")) as handle:
            seed = json.load(handle)
        seed["abilities"] = [a for a in seed["abilities"] if a not in abilities]
        self.reset(seed=seed)

    def requests(self, api=None, since=0):
        """The request log (after the mark ``since``, see :meth:`mark`)."""
        log = self.call("GET", "/_sim/requests?since=%d" % since)[1]["requests"]
        return [r for r in log if api is None or r["api"] == api]

    def writes(self, since=0):
        return [r for r in self.requests(since=since) if r["method"] != "GET"]

    def mark(self):
        """The sequence number of the last logged request, to look only at what comes after it."""
        log = self.requests()
        return log[-1]["seq"] if log else 0

    def state(self, name):
        return self.call("GET", "/_sim/state/%s" % name)[1][name]

    def create_incident(self, title="Checkout failing", service="PSVCCHK", **fields):
        """Open an incident through the REST API (as the admin user); returns it."""
        incident = {"type": "incident", "title": title, "service": {"id": service, "type": "service_reference"}}
        incident.update(fields)
        return self.rest("POST", "/incidents", {"incident": incident})["incident"]

    def resolve_incident(self, incident_id):
        """Resolve an incident through the REST API (as the admin user); returns it."""
        return self.rest("PUT", "/incidents/%s" % incident_id,
                         {"incident": {"type": "incident_reference", "status": "resolved"}})["incident"]

    def incident(self, incident_id):
        return self.rest("GET", "/incidents/%s" % incident_id)["incident"]

    def log_entries(self, incident_id):
        return self.rest("GET", "/incidents/%s/log_entries?limit=100" % incident_id)["log_entries"]

    def clock(self, **change):
        """Move the simulated time (``advance=seconds`` or ``now="ISO 8601"``), or read it; the time as PagerDuty's
        date-time."""
        if change:
            status, body = self.call("POST", "/_sim/clock", change)
            assert status == 200, body
            return body["now"]
        return self.call("GET", "/_sim/clock")[1]["now"]

    def fault(self, **spec):
        status, body = self.call("POST", "/_sim/faults", spec)
        assert status == 201, body

    def events(self):
        return self.call("GET", "/_sim/events")[1]

    def webhooks(self, wait=True):
        """The webhooks the simulator sent (after waiting until every one was delivered or dropped)."""
        if wait:
            status, body = self.call("POST", "/_sim/webhooks/wait", {"timeout": 60})
            assert status == 200 and body["drained"], body
        return self.call("GET", "/_sim/webhooks")[1]["webhooks"]

    def incidents(self, **query):
        suffix = "&".join("%s=%s" % item for item in query.items())
        return self.rest("GET", "/incidents?date_range=all&limit=100" + ("&" + suffix if suffix else ""))["incidents"]


class Run(object):
    def __init__(self, command, completed, elapsed):
        self.command = command
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.elapsed = elapsed

    @property
    def output(self):
        return self.stdout + self.stderr

    def results(self):
        """Per-host results of an ad-hoc run: [(host, state, result dict)].

        Reads the minimal callback's ``host | STATE => {`` ... ``}`` blocks and the
        one-line form that ``-o`` prints.
        """
        found = []
        lines = self.stdout.splitlines()
        index = 0
        while index < len(lines):
            line = lines[index]
            match = re.match(r"^(\S+) \| ([A-Z]+!?)(?: \| rc=\d+ \|)? => (\{.*)$", line)
            if match:
                text = match.group(3)
                if not text.endswith("}"):
                    while index + 1 < len(lines):
                        index += 1
                        text += "\n" + lines[index]
                        if lines[index] == "}":
                            break
                found.append((match.group(1), match.group(2), json.loads(text)))
            index += 1
        return found

    def result(self):
        """The one host's result; ``failed`` is set when Ansible reported FAILED! (the -o line omits it)."""
        results = self.results()
        assert len(results) == 1, self.output
        host, state, result = results[0]
        if state == "FAILED!":
            result.setdefault("failed", True)
        return result

    def __repr__(self):
        return "<Run rc=%s %s>\n%s" % (self.rc, " ".join(self.command), self.output[-6000:])


class Ansible(object):
    """Runs ansible-playbook and ansible against the simulator, the way users do."""

    def __init__(self, sim, tmp_path):
        self.sim = sim
        self.tmp_path = tmp_path
        self.runs = []

    def env(self, extra=None, connection=True):
        env = dict(os.environ)
        for name in list(env):
            if name.startswith("PAGERDUTY_") or name.startswith("ANSIBLE_"):
                del env[name]
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_DEPRECATION_WARNINGS": "false",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_LOCAL_TEMP": str(self.tmp_path / "ansible-local"),
            "ANSIBLE_REMOTE_TEMP": str(self.tmp_path / "ansible-remote"),
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        })
        if connection:
            env.update({"PAGERDUTY_API_URL": self.sim.url, "PAGERDUTY_EVENTS_URL": self.sim.url})
        env.update(extra or {})
        return env

    def _run(self, command, env, expect_rc):
        started = time.monotonic()
        completed = subprocess.run(command, env=env, capture_output=True, text=True, cwd=str(self.tmp_path),
                                   timeout=600, check=False)
        run = Run(command, completed, time.monotonic() - started)
        self.runs.append(run)
        leaked = leaked_secrets(run.output)
        assert not leaked, "secret(s) printed by %s:\n%s" % (" ".join(command), masked(run.output))
        if expect_rc is not None:
            assert run.rc == expect_rc, run
        return run

    def playbook(self, name, extra_vars=None, check=False, diff=False, env=None, expect_rc=0, verbose=0,
                 connection=True, inventory="localhost,"):
        path = name if os.path.isabs(name) else os.path.join(TARGETS, name)
        variables = {"sim_url": self.sim.url, "routing_key": ROUTING_KEY, "admin_email": ADMIN_EMAIL}
        variables.update(extra_vars or {})
        # In a file, not on the command line: -vvvv prints command-line extra vars, secrets included.
        vars_file = self.tmp_path / ("vars-%d.json" % len(self.runs))
        vars_file.write_text(json.dumps(variables))
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), path, "-i", inventory,
                   "-c", "local", "-e", "@%s" % vars_file]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if verbose:
            command.append("-" + "v" * verbose)
        rest = {"PAGERDUTY_API_TOKEN": ADMIN_TOKEN, "PAGERDUTY_FROM_EMAIL": ADMIN_EMAIL}
        return self._run(command, self.env(dict(rest, **(env or {})), connection=connection), expect_rc)

    def adhoc(self, module, args, check=False, diff=False, env=None, expect_rc=0, hosts="localhost",
              inventory="localhost,", extra=(), rest=False):
        """``ansible HOSTS -m MODULE -a ARGS``; ``rest=True`` puts the admin token and From email in the environment."""
        command = [os.path.join(os.path.dirname(sys.executable), "ansible"), hosts, "-i", inventory, "-c", "local",
                   "-m", module, "-a", args] + list(extra)
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if rest:
            env = dict({"PAGERDUTY_API_TOKEN": ADMIN_TOKEN, "PAGERDUTY_FROM_EMAIL": ADMIN_EMAIL}, **(env or {}))
        return self._run(command, self.env(env), expect_rc)


if __name__ == "__main__":
    # python tests/integration/pd_harness.py OUTPUT...: fails when a saved output holds a token or routing key
    if len(sys.argv) < 2:
        sys.exit("usage: %s FILE..." % sys.argv[0])
    sys.exit(1 if scan_files(sys.argv[1:]) else 0)
