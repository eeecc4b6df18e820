"""Benchmarks 6 and 7: the EDA source next to ansible.eda.webhook, and the remediation loop's reaction time.

6. ``eda-source``: verified deliveries per second, and the latency a delivery's answer takes, of
   ``oncall.pagerduty.webhook`` and ``ansible.eda.webhook`` with HMAC on, each run as ansible-rulebook runs a source
   (``eda_source_host.py``: ``runpy``, ``main(queue, args)``, a queue of one drained by a consumer), in one run.
   Both get the same bodies, each signed the way it checks (ours: ``X-PagerDuty-Signature: v1=<hex>``; theirs:
   ``X-Hub-Signature-256: sha256=<hex>``, its default), and every answer must be 2xx and every event queued.
   Both sources run at once and are measured in turns, round by round, so a slow spell of the machine falls on both.
7. ``eda-loop``: the time from an alert event to the first command of the remediation playbook, with the real
   ansible-rulebook running the rulebook oncall.pagerduty.remediate against the simulator.
"""

import asyncio
import glob
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OURS = REPO / "extensions" / "eda" / "plugins" / "event_source" / "webhook.py"
SECRET = "pdsim-webhook-secret-unit-0001"
BODY = REPO / "tests" / "unit" / "extensions"


def _digest(body):
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def _bodies(count, prefix):
    """Realistic V3 bodies (PagerDuty's documented incident.triggered example), each with its own event id."""
    sys.path.insert(0, str(BODY))
    from webhook_source import delivery
    return [delivery("%s-%d" % (prefix, n)) for n in range(count)]


def find_ansible_eda(given):
    """The path of ansible.eda's webhook.py, or (None, why not)."""
    candidates = []
    if given and given.endswith(".py"):
        return given, None
    if given and given.endswith(".tar.gz"):
        target = Path(tempfile.mkdtemp(prefix="ansible-eda-"))
        with tarfile.open(given) as archive:
            archive.extractall(target, filter="data")
        candidates.append(target)
    elif given:
        candidates.append(Path(given))
    candidates += [REPO / ".cache" / "ansible-eda", Path.home() / ".ansible" / "collections"]
    for root in candidates:
        for pattern in ("extensions/eda/plugins/event_source/webhook.py",
                        "ansible_collections/ansible/eda/extensions/eda/plugins/event_source/webhook.py"):
            found = glob.glob(str(root / pattern))
            if found:
                return found[0], None
    galaxy = Path(sys.executable).parent / "ansible-galaxy"
    installed = subprocess.run([str(galaxy), "collection", "install", "ansible.eda", "-p",
                                str(REPO / ".cache" / "ansible-eda")], capture_output=True, text=True, timeout=300,
                               check=False)
    path = REPO / ".cache/ansible-eda/ansible_collections/ansible/eda/extensions/eda/plugins/event_source/webhook.py"
    if installed.returncode == 0 and path.exists():
        return str(path), None
    return None, "ansible.eda could not be installed here (%s)" % (installed.stderr.strip().splitlines() or ["?"])[-1]


class Host(object):
    """A source served by eda_source_host.py in a process of its own."""

    def __init__(self, path, args):
        self.process = subprocess.Popen([sys.executable, str(HERE / "eda_source_host.py"), path, json.dumps(args)],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self):
        self.process.terminate()
        out = self.process.communicate(timeout=30)[0]
        return int(out.rsplit("queued", maxsplit=1)[-1])


async def _throughput(url, bodies, headers_of, concurrency):
    import aiohttp
    statuses = []
    queue = list(bodies)

    async def worker(session):
        while queue:
            body = queue.pop()
            async with session.post(url, data=body, headers=headers_of(body)) as response:
                await response.read()
                statuses.append(response.status)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.monotonic()
        await asyncio.gather(*[worker(session) for _unused in range(concurrency)])
        return time.monotonic() - started, statuses


async def _latency(url, bodies, headers_of, samples):
    """Sends the bodies one at a time and adds each answer's latency (s) to ``samples``."""
    import aiohttp
    async with aiohttp.ClientSession() as session:
        for body in bodies:
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers_of(body)) as response:
                await response.read()
                assert response.status < 300, response.status
            samples.append(time.perf_counter() - started)


def percentiles(samples):
    """(median, p99) in ms."""
    return statistics.median(samples) * 1000, sorted(samples)[int(len(samples) * 0.99) - 1] * 1000


class Source(object):
    """One source under test, served by its own Host: its signing, and what the rounds measured."""

    def __init__(self, name, path, args, headers_of):
        from eda_harness import free_port
        port = free_port()
        self.name, self.headers_of = name, headers_of
        self.host = Host(path, dict(args, port=port))
        self.url = "http://127.0.0.1:%d/pagerduty" % port
        self.rates, self.samples, self.sent = [], [], 0

    def warm(self):
        asyncio.run(_latency(self.url, _bodies(50, self.name + "-warm"), self.headers_of, []))
        self.sent += 50

    def throughput_round(self, count, n):
        seconds, statuses = asyncio.run(_throughput(self.url, _bodies(count, "%s-%d" % (self.name, n)),
                                                    self.headers_of, 32))
        assert set(statuses) <= {200, 202} and len(statuses) == count, set(statuses)
        self.rates.append(count / seconds)
        self.sent += count

    def latency_round(self, count, n):
        asyncio.run(_latency(self.url, _bodies(count, "%s-lat%d" % (self.name, n)), self.headers_of, self.samples))
        self.sent += count

    def stop(self):
        return self.host.stop()


def measure_sources(sources, count, rounds):
    """The sources measured in turns (round 1 of each, then round 2 of each...), so that a machine that slows down
    for a while slows every source alike: the median rate of the throughput rounds, the latency percentiles of
    all samples, and (queued, sent) per source."""
    try:
        for source in sources:
            source.warm()
        for n in range(rounds):
            for source in sources[::1 if n % 2 == 0 else -1]:
                source.throughput_round(count // rounds, n)
        for n in range(rounds):
            for source in sources[::1 if n % 2 == 0 else -1]:
                source.latency_round(300 // rounds, n)
    finally:
        queued = [source.stop() for source in sources]
    return [(statistics.median(source.rates), percentiles(source.samples), done, source.sent)
            for source, done in zip(sources, queued)]


def register(bench):
    @bench("eda-source")
    def bench_eda_source(ctx):
        """Verified deliveries per second and answer latency: oncall.pagerduty.webhook vs ansible.eda.webhook."""
        count, rounds = (1000, 2) if ctx.quick else (5000, 5)
        sources = [Source("ours", str(OURS), {"secret": SECRET},
                          lambda b: {"X-PagerDuty-Signature": "v1=" + _digest(b)})]
        path, why = find_ansible_eda(os.environ.get("BENCH_ANSIBLE_EDA"))
        if path:
            sources.append(Source("theirs", path, {"hmac_secret": SECRET, "host": "127.0.0.1"},
                                  lambda b: {"X-Hub-Signature-256": "sha256=" + _digest(b)}))
        measured = measure_sources(sources, count, rounds)
        ours, theirs = measured[0], (measured[1] if path else None)
        note = "median of %d rounds, taken in turns" % rounds if path else why
        ctx.row("6. EDA source: %d signed deliveries, 32 at a time" % count, "verified deliveries per second",
                ours[0], theirs[0] if theirs else None, unit="/s", goal="ratio >= 0.9",
                met=(ours[0] >= 0.9 * theirs[0]) if theirs else None, note=note)
        ctx.row("6. EDA source: one delivery at a time (300)", "median answer latency, ms", ours[1][0],
                theirs[1][0] if theirs else None, unit="ms", goal="ratio <= 1.1",
                met=(ours[1][0] <= 1.1 * theirs[1][0]) if theirs else None,
                note="p99 %.2f vs %s ms" % (ours[1][1], "%.2f" % theirs[1][1] if theirs else "-"))
        ctx.row("6. EDA source: every verified delivery queued", "events queued / sent", ours[2],
                theirs[2] if theirs else None, unit="events", goal="all (%d)" % ours[3],
                met=ours[2] == ours[3] and (theirs is None or theirs[2] == theirs[3]))

    @bench("eda-loop")
    def bench_eda_loop(ctx):
        """The remediation loop under ansible-rulebook: alert event to the playbook's first command."""
        loop_rows(ctx, 2 if ctx.quick else 5)


def loop_rows(ctx, rounds):
    from eda_harness import Rulebook, free_port
    from pd_harness import ROUTING_KEY
    sim, workdir = ctx.sim, tempfile.mkdtemp(prefix="eda-loop-")
    port = free_port()
    secret_file = os.path.join(workdir, "secret")
    ctx.ansible.adhoc("oncall.pagerduty.pd_webhook_subscription",
                      "url=http://127.0.0.1:%d/pagerduty filter_type=service filter=PSVCCHK "
                      "events=incident.triggered secret_file=%s" % (port, secret_file), rest=True)
    stamps = os.path.join(workdir, "started")
    rulebook = Rulebook("oncall.pagerduty.remediate", sim.url, {
        "webhook_port": port, "remediate_service": "Checkout API", "remediation_command": "true",
        "diagnostics_command": "date +%%s.%%N >> %s" % stamps}, open(secret_file).read().strip(), workdir,
        verbose=False)
    try:
        startup = rulebook.wait_listening()
        delays, resolved = [], []
        for n in range(rounds):
            sent = time.time()
            sim.call("POST", "/v2/enqueue", {"routing_key": ROUTING_KEY, "event_action": "trigger",
                                             "dedup_key": "loop-%d" % n, "payload": {
                                                 "summary": "loop %d" % n, "source": "b", "severity": "error"}})
            incident = [i for i in sim.incidents() if i["incident_key"] == "loop-%d" % n][0]
            while not os.path.exists(stamps) or len(open(stamps).read().split()) <= n:
                time.sleep(0.01)
            delays.append(float(open(stamps).read().split()[n]) - sent)
            while sim.incident(incident["id"])["status"] != "resolved":
                time.sleep(0.05)
            resolved.append(time.time() - sent)
    finally:
        rulebook.stop()
    ctx.row("7. EDA loop: alert event to the playbook's first command", "median s over %d incidents" % rounds,
            statistics.median(delays), unit="s", note="min %.2f, max %.2f" % (min(delays), max(delays)))
    ctx.row("7. EDA loop: alert event to the incident resolved", "median s over %d incidents" % rounds,
            statistics.median(resolved), unit="s",
            note="ansible-rulebook ready %.1f s after its start" % startup)
