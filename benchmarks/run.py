"""Benchmarks: oncall.pagerduty measured side by side with the alternatives, in one run, on the simulator.

    make bench            (or: .venv/bin/python benchmarks/run.py [--quick] [--only NAME ...])

Prints a table and writes it to benchmarks/results/latest.md and latest.json (the same rows, in the same order).
Every figure is a ratio or a count taken in the same run, so the machine's speed cancels out.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO / "tests" / "integration"), str(REPO / "tests")]

# (pd_harness links the collection onto the path with scripts/devenv.py and starts simulators with it)
from pd_harness import ADMIN_EMAIL, ADMIN_TOKEN, COLLECTIONS, ROUTING_KEY, Ansible, Simulator  # noqa: E402

if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

RESULTS = HERE / "results"
BENCHES = {}
USERS = 10000


def bench(name):
    def register(function):
        BENCHES[name] = function
        return function
    return register


def shown_ratio(ratio):
    """A ratio as the table shows it: two decimals, four for the very small ones (0.0014, not 0.00)."""
    return "" if ratio is None else ("%.2f" % ratio if abs(ratio) >= 0.01 or ratio == 0 else "%.4f" % ratio)


def shown(value):
    """A value as the Markdown table shows it."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "%(reads)d + %(writes)d" % value
    if isinstance(value, float):
        return "%.3f" % value if abs(value) < 1 else "%.2f" % value
    return str(value)


class Context(object):
    def __init__(self, quick):
        self.quick = quick
        self.sim = Simulator(extra_args=["--rest-rate-limit", "0", "--events-rate-limit", "0"])
        self.tmp = Path(tempfile.mkdtemp(prefix="pd-bench-"))
        self.ansible = Ansible(self.sim, self.tmp)
        self.rows = []

    def row(self, benchmark, measure, ours, theirs=None, unit="", goal="", met=None, note=""):
        """One result: ours and theirs (side by side, in ``unit``); ``met`` says whether ``goal`` was reached."""
        ratio = round(ours / theirs, 4) if isinstance(ours, (int, float)) and theirs else None
        ours, theirs = [round(v, 4) if isinstance(v, float) else v for v in (ours, theirs)]
        self.rows.append({"benchmark": benchmark, "measure": measure, "ours": ours, "theirs": theirs,
                          "ratio": ratio, "unit": unit, "goal": goal, "met": met, "note": note})
        print("  %-62s %-12s %-12s %s" % (benchmark, shown(ours), shown(theirs),
                                          "ratio " + shown_ratio(ratio) if ratio is not None else ""))

    def playbook(self, name, extra_vars=None, env=None):
        started = time.monotonic()
        self.ansible.playbook(str(HERE / "playbooks" / name), extra_vars, env=env)
        return time.monotonic() - started


def per_task(ctx, playbook, n, rounds, extra_vars=None):
    """Seconds per task: (time for n tasks - time for 0 tasks) / n, median of rounds."""
    samples = []
    for unused in range(rounds):
        zero = ctx.playbook(playbook, dict(extra_vars or {}, n=0))
        full = ctx.playbook(playbook, dict(extra_vars or {}, n=n))
        samples.append((full - zero) / n)
    return statistics.median(samples)


@bench("per-task")
def bench_per_task(ctx):
    """pd_event vs uri for N events; pd_incident no-op vs uri GET for N reads (interleaved rounds)."""
    n, rounds = (10, 1) if ctx.quick else (30, 3)
    ours, theirs = [], []
    for unused in range(rounds):
        ours.append(per_task(ctx, "events_module.yml", n, 1))
        theirs.append(per_task(ctx, "events_uri.yml", n, 1))
    module, uri = statistics.median(ours), statistics.median(theirs)
    ctx.row("1. Per-task cost: %d alert events" % n, "pd_event vs uri, s per task", module, uri, unit="s/task",
            goal="ratio <= 1.0", met=module / uri <= 1.0)
    incident = ctx.sim.create_incident(title="Benchmark no-op")["id"]
    ours, theirs = [], []
    for unused in range(rounds):
        ours.append(per_task(ctx, "noop_module.yml", n, 1, {"incident_id": incident}))
        theirs.append(per_task(ctx, "noop_uri.yml", n, 1, {"incident_id": incident}))
    module, uri = statistics.median(ours), statistics.median(theirs)
    ctx.row("1. Per-task cost: %d no-op incident tasks" % n, "pd_incident vs uri GET, s per task", module, uri,
            unit="s/task", goal="ratio <= 1.0", met=module / uri <= 1.0)


def _request_cases(sim):
    """(label, module, args, expected reads, expected writes), run in this order against one simulator."""
    incident = sim.create_incident(title="Benchmark requests")["id"]
    responders = sim.create_incident(title="Benchmark responders")["id"]
    return [
        ("pd_incident no-op (status already set)", "pd_incident", "incident_id=%s status=triggered" % incident, 1, 0),
        ("pd_incident change (acknowledge)", "pd_incident", "incident_id=%s status=acknowledged" % incident, 1, 1),
        ("pd_incident change by name (priority P1)", "pd_incident", "incident_id=%s priority=P1" % incident, 2, 1),
        ("pd_incident change by email (assign grace@example.com)", "pd_incident",
         "incident_id=%s assignees=grace@example.com" % incident, 2, 1),
        ("pd_incident_note change", "pd_incident_note", "incident_id=%s note=benchmark" % incident, 1, 1),
        ("pd_incident_note no-op (same note)", "pd_incident_note", "incident_id=%s note=benchmark" % incident, 1, 0),
        ("pd_incident_responder change (user and requester by ID)", "pd_incident_responder",
         "incident_id=%s users=PGRACE1 requester=PADMIN1" % responders, 1, 1),
        ("pd_incident_responder no-op (already requested)", "pd_incident_responder",
         "incident_id=%s users=PGRACE1 requester=PADMIN1" % responders, 1, 0),
        ("pd_incident_responder change by email (linus@example.com)", "pd_incident_responder",
         "incident_id=%s users=linus@example.com requester=PADMIN1" % responders, 2, 1),
        ("pd_user no-op (found by email, nothing differs)", "pd_user",
         "email=grace@example.com name='Grace Hopper'", 1, 0),
        ("pd_user change (found by email, new job title)", "pd_user",
         "email=grace@example.com job_title='Rear Admiral'", 1, 1),
        ("pd_user change by ID (new job title)", "pd_user", "user_id=PLINUS1 job_title='Kernel Hacker'", 1, 1),
        ("pd_user create (address not yet known)", "pd_user",
         "email=bench.user@example.com name='Bench User' role=user", 1, 1),
    ] + _oncall_cases(sim)


def _oncall_cases(sim):
    """Maintenance windows, who is on call, schedule overrides: the same (label, module, args, reads, writes)."""
    scheduled = sim.rest("POST", "/maintenance_windows", {"maintenance_window": {
        "type": "maintenance_window", "start_time": "2099-01-01T00:00:00Z", "end_time": "2099-01-01T01:00:00Z",
        "description": "Benchmark future", "services": [{"id": "PSVCPLT", "type": "service_reference"}]}})
    window = "services=PSVCCHK description=Benchmark"
    override = "schedule=PSCHCHK user=PGRACE1 start=2099-01-01T00:00:00Z duration=2h"
    return [
        ("pd_maintenance_window create (service by ID, looked up before creating)", "pd_maintenance_window",
         window + " duration=30m", 2, 1),
        ("pd_maintenance_window no-op (same description and services, by ID)", "pd_maintenance_window",
         window + " duration=30m", 1, 0),
        ("pd_maintenance_window no-op (services by the name the window shows)", "pd_maintenance_window",
         "services='Checkout API' description=Benchmark duration=30m", 1, 0),
        ("pd_maintenance_window change (longer duration)", "pd_maintenance_window", window + " duration=1h", 1, 1),
        ("pd_maintenance_window delete a future window by ID", "pd_maintenance_window",
         "id=%s state=absent" % scheduled["maintenance_window"]["id"], 1, 1),
        ("pd_maintenance_window end an ongoing window (read back after)", "pd_maintenance_window",
         window + " state=absent", 2, 1),
        ("pd_maintenance_window_info (ongoing, service by ID)", "pd_maintenance_window_info",
         "filter=ongoing services=PSVCCHK", 2, 0),
        ("pd_oncall_info by escalation policy ID", "pd_oncall_info", "escalation_policies=PEPCHK1", 1, 0),
        ("pd_oncall_info by service name, level 1", "pd_oncall_info", "services='Checkout API' escalation_level=1",
         2, 0),
        ("pd_schedule_override create (schedule and user by ID)", "pd_schedule_override", override, 1, 1),
        ("pd_schedule_override no-op (schedule and user by ID)", "pd_schedule_override", override, 1, 0),
        ("pd_schedule_override no-op by schedule name and user email", "pd_schedule_override",
         "schedule='Checkout Primary' user=grace@example.com start=2099-01-01T00:00:00Z duration=2h", 3, 0),
    ]


@bench("requests")
def bench_requests(ctx):
    """Requests per task, read from the simulator's request log."""
    sim, ansible = ctx.sim, ctx.ansible
    for label, module, args, reads, writes in _request_cases(sim):
        mark = sim.mark()
        ansible.adhoc("oncall.pagerduty." + module, args, rest=True)
        log = sim.requests(since=mark)
        counted = {"reads": len([r for r in log if r["method"] == "GET"]),
                   "writes": len([r for r in log if r["method"] != "GET"])}
        expected = {"reads": reads, "writes": writes}
        ctx.row("2. Requests per task: " + label, "reads + writes", counted, unit="requests",
                goal=shown(expected), met=counted == expected)


def _pagerduty_client(url):
    import pagerduty
    client = pagerduty.RestApiV2Client(ADMIN_TOKEN, default_from=ADMIN_EMAIL)
    client._url = url  # its setter refuses http://, and the simulator serves plain HTTP; nothing else is changed
    client.headers["Content-Type"] = "application/json"  # PagerDuty's document requires it on every request
    return client


# python-pagerduty as a script would use it: list every user with iter_all and hand them on as JSON
THEIR_SCRIPT = """
import json, sys, warnings
import pagerduty
warnings.simplefilter("ignore")  # iter_all warns that it stops at PagerDuty's 10,000 cap
client = pagerduty.RestApiV2Client(sys.argv[1])
client._url = sys.argv[2]
client.headers["Content-Type"] = "application/json"
json.dump(list(client.iter_all("users")), sys.stdout)
"""


def _timed_process(command, env):
    """(seconds, stdout) of one process run to the end."""
    started = time.monotonic()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=True)
    return time.monotonic() - started, completed.stdout


def _ids(users):
    return [user["id"] for user in users]


class Listing(object):
    """The three ways of timing the 10,000-user listing, ours and theirs, each checked to list the same users."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.env = dict(os.environ, PYTHONPATH=COLLECTIONS, PAGERDUTY_API_TOKEN=ADMIN_TOKEN,
                        PAGERDUTY_API_URL=ctx.sim.url)
        self.args = ctx.tmp / "pd_user_info-args.json"
        self.args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {}}))
        self.expected = None

    def client_level(self):
        """Both listing codes in this process: the module's client list_all vs python-pagerduty's iter_all."""
        from ansible_collections.oncall.pagerduty.plugins.module_utils.client import PagerDutyClient
        started = time.monotonic()
        theirs = list(_pagerduty_client(self.ctx.sim.url).iter_all("users"))
        theirs_time = time.monotonic() - started
        started = time.monotonic()
        ours, unused = PagerDutyClient(api_token=ADMIN_TOKEN, api_url=self.ctx.sim.url).list_all("/users", "users")
        ours_time = time.monotonic() - started
        self.expected = _ids(theirs)
        assert _ids(ours) == self.expected, "both must list the same users in order"
        return ours_time, theirs_time

    def their_script(self):
        seconds, out = _timed_process([sys.executable, "-c", THEIR_SCRIPT, ADMIN_TOKEN, self.ctx.sim.url], self.env)
        assert _ids(json.loads(out)) == self.expected
        return seconds

    def module_process(self):
        """pd_user_info run directly as a Python process (how Ansible runs it, without Ansible around it)."""
        module = Path(COLLECTIONS) / "ansible_collections/oncall/pagerduty/plugins/modules/pd_user_info.py"
        seconds, out = _timed_process([sys.executable, str(module), str(self.args)], self.env)
        assert _ids(json.loads(out)["users"]) == self.expected
        return seconds

    def task(self):
        """The pd_user_info task in ansible-playbook, minus the same play with the task skipped."""
        mark = self.ctx.sim.mark()
        full = self.ctx.playbook("list_users.yml", {"list_users": True})
        pages = len([r for r in self.ctx.sim.requests(since=mark) if r["path"] == "/users" and r["status"] == 200])
        assert pages == len(self.expected) // 100, "the task must have read every page"
        return full - self.ctx.playbook("list_users.yml", {"list_users": False})


@bench("list-users")
def bench_list_users(ctx):
    """Listing 10,000 users with 20 ms latency per request: pd_user_info vs python-pagerduty's iter_all."""
    sim = ctx.sim
    sim.reset(extra_users=USERS)
    try:
        sim.fault(method="GET", path="^/users$", latency=0.02, count=None)
        listing = Listing(ctx)
        samples = {"client": [], "their client": [], "script": [], "module": [], "task": []}
        for unused in range(1 if ctx.quick else 3):
            ours, theirs = listing.client_level()
            samples["client"].append(ours)
            samples["their client"].append(theirs)
            samples["script"].append(listing.their_script())
            samples["module"].append(listing.module_process())
            samples["task"].append(listing.task())
        median = dict((name, statistics.median(values)) for name, values in samples.items())
        label = "3. List 10,000 users, 20 ms per request"
        ctx.row(label + ": end to end", "pd_user_info task in a playbook (minus the play without it) vs a "
                "python-pagerduty script (own process, iter_all, users as JSON), s", median["task"],
                median["script"], unit="s", goal="ratio <= 0.25", met=median["task"] / median["script"] <= 0.25)
        ctx.row(label + ": the module alone", "pd_user_info run as a process (users as JSON) vs the same script, s",
                median["module"], median["script"], unit="s", goal="ratio <= 0.25",
                met=median["module"] / median["script"] <= 0.25)
        ctx.row(label + ": the listing code alone", "the module's client list_all vs iter_all, one process, s",
                median["client"], median["their client"], unit="s", goal="ratio <= 0.25",
                met=median["client"] / median["their client"] <= 0.25)
        mark = sim.mark()
        ctx.ansible.adhoc("oncall.pagerduty.pd_user_info", "email=scale.user.05000@scale.example.com", rest=True)
        lookup = len(sim.requests(since=mark))
        mark = sim.mark()
        scan = [u for u in _pagerduty_client(sim.url).iter_all("users")
                if u["email"] == "scale.user.05000@scale.example.com"]
        scanned = len(sim.requests(since=mark))
        ctx.row("3. Find one user by email", "pd_user_info vs a full scan with iter_all, requests", lookup, scanned,
                unit="requests", goal="1 request", met=lookup == 1 and len(scan) == 1)
    finally:
        sim.call("DELETE", "/_sim/faults")
        sim.reset(extra_users=0)


@bench("callback")
def bench_callback(ctx):
    """A 200-task play with the events endpoint at 250 ms: notify enabled vs disabled vs a synchronous sender."""
    sim = ctx.sim
    play = ctx.tmp / "play200.yml"
    tasks = "".join("    - name: Task %d\n      ansible.builtin.set_fact:\n        bench_%d: %d\n" % (i, i, i)
                    for i in range(200))
    play.write_text("---\n- name: Two hundred tasks\n  hosts: localhost\n  gather_facts: false\n  tasks:\n" + tasks)
    sim.fault(path="^/v2/enqueue$", latency=0.25, count=None)
    common = {"PAGERDUTY_ROUTING_KEY": ROUTING_KEY, "PAGERDUTY_EVENTS_URL": sim.url,
              "PAGERDUTY_NOTIFY_STATE_DIR": str(ctx.tmp / "notify-state"), "PAGERDUTY_NOTIFY_ON_START": "true"}
    variants = {
        "disabled": {},
        "notify": {"ANSIBLE_CALLBACKS_ENABLED": "oncall.pagerduty.notify"},
        "synchronous": {"ANSIBLE_CALLBACKS_ENABLED": "sync_pagerduty",
                        "ANSIBLE_CALLBACK_PLUGINS": str(HERE / "callback_plugins")},
    }
    times = dict((name, []) for name in variants)
    events = {}
    for unused in range(1 if ctx.quick else 3):
        for name, env in variants.items():
            mark = sim.mark()
            started = time.monotonic()
            ctx.ansible.playbook(str(play), env=dict(common, **env))
            times[name].append(time.monotonic() - started)
            events[name] = len(sim.requests(api="events", since=mark))
    sim.call("DELETE", "/_sim/faults")
    base, notify, sync = [statistics.median(times[name]) for name in ("disabled", "notify", "synchronous")]
    ctx.row("4. Callback overhead: 200 tasks, events at 250 ms", "notify on vs off, extra s", notify - base,
            unit="extra s", goal="<= 1 s more", met=notify - base <= 1.0, note="%d events" % events["notify"])
    ctx.row("4. Callback overhead vs a synchronous sender", "extra s over no callback: notify vs synchronous",
            notify - base, sync - base, unit="extra s", goal="notify lower", met=notify - base < sync - base,
            note="%d vs %d events" % (events["notify"], events["synchronous"]))


# The client's jitter on top of a 429's ratelimit-reset of 1 s is at most 0.15 s (client._delay).
RATE_LIMIT_GOAL = 1.25


@bench("rate-limit")
def bench_rate_limit(ctx):
    """A 20-task play while every second request is answered 429 with ratelimit-reset: 1."""
    sim = ctx.sim
    n = 6 if ctx.quick else 20
    incident = sim.create_incident(title="Benchmark rate limit")["id"]
    sim.fault(path="^/incidents/", every=2, count=None, status=429, headers={"ratelimit-reset": "1"})
    mark = sim.mark()
    elapsed = ctx.playbook("notes_rate_limited.yml", {"incident_id": incident, "n": n})
    sim.call("DELETE", "/_sim/faults")
    log = sim.requests(since=mark)
    limited = len([r for r in log if r["status"] == 429])
    notes = sim.rest("GET", "/incidents/%s/notes" % incident)["notes"]
    contents = [note["content"] for note in notes]
    once = sorted(contents) == sorted("Rate-limit benchmark note %d" % i for i in range(n))
    baseline = ctx.playbook("notes_rate_limited.yml", {"incident_id": sim.create_incident()["id"], "n": n})
    asked = limited * 1.0
    ctx.row("5. Rate limiting: %d note tasks, every 2nd request 429" % n, "notes applied exactly once", len(contents),
            unit="notes", goal="%d, none twice" % n, met=once)
    extra = elapsed - baseline
    ctx.row("5. Rate limiting: time over the unlimited run", "extra s vs the waits PagerDuty asked for, s", extra,
            asked, unit="s", goal="ratio 1.0 to %.2f (waits + jitter)" % RATE_LIMIT_GOAL,
            met=bool(asked) and 1.0 <= extra / asked <= RATE_LIMIT_GOAL, note="%d answers 429" % limited)


# -- 8. triage at scale ------------------------------------------------------------------------------------------
BULK = 1000
BULK_GOAL = 0.02
BULK_REQUESTS = -(-BULK // 100) + -(-BULK // 250) + 1      # the listing's pages + the bulk requests + 1


def _open_incidents(sim, count, service):
    return [sim.create_incident(title="Benchmark storm %d" % n, service=service)["id"] for n in range(count)]


def _counted(log):
    return {"reads": len([r for r in log if r["method"] == "GET"]),
            "writes": len([r for r in log if r["method"] != "GET"])}


def _loop_per_incident(ctx, playbook, sample):
    """Seconds per incident of a loop over ``sample`` fresh incidents (minus the same play over none), and the
    requests per incident."""
    zero = ctx.playbook(playbook, {"incident_ids": []})
    ids = _open_incidents(ctx.sim, sample, "PSVCPLT")
    mark = ctx.sim.mark()
    full = ctx.playbook(playbook, {"incident_ids": ids})
    log = ctx.sim.requests(since=mark)
    assert all(ctx.sim.incident(i)["status"] == "resolved" for i in ids[:5] + ids[-5:])
    return (full - zero) / sample, len(log) / float(sample)


@bench("incidents-bulk")
def bench_incidents_bulk(ctx):
    """Resolving 1,000 triggered incidents: one pd_incidents task vs loops of pd_incident and uri (sampled)."""
    sim = ctx.sim
    sample = 20 if ctx.quick else 100
    module, module_requests = _loop_per_incident(ctx, "resolve_module.yml", sample)
    uri, uri_requests = _loop_per_incident(ctx, "resolve_uri.yml", sample)
    storm = _open_incidents(sim, BULK, "PSVCCHK")
    baseline = ctx.playbook("bulk_module.yml", {"run_bulk": False})
    mark = sim.mark()
    bulk = ctx.playbook("bulk_module.yml", {"run_bulk": True}) - baseline
    counted = _counted(sim.requests(since=mark))
    left = sim.rest("GET", "/incidents?service_ids[]=PSVCCHK&statuses[]=triggered&date_range=all&total=true")
    assert len(storm) == BULK and left["total"] == 0, "every one resolved"
    mark = sim.mark()
    ctx.playbook("bulk_module.yml", {"run_bulk": True})
    rerun = _counted(sim.requests(since=mark))
    label = "8. Resolve 1,000 triggered incidents"
    note = "loops timed over %d incidents and scaled to 1,000" % sample
    ctx.row(label + ": time", "one pd_incidents task vs a loop of pd_incident tasks, s", bulk, module * BULK,
            unit="s", goal="ratio <= %s" % BULK_GOAL, met=bulk / (module * BULK) <= BULK_GOAL, note=note)
    ctx.row(label + ": time vs uri", "one pd_incidents task vs a loop of uri tasks (PUT each), s", bulk, uri * BULK,
            unit="s", note=note)
    ctx.row(label + ": requests", "pd_incidents reads + writes vs the pd_incident loop's requests", counted,
            round(module_requests * BULK), unit="requests", goal="<= %d in all" % BULK_REQUESTS,
            met=counted["reads"] + counted["writes"] <= BULK_REQUESTS,
            note="a uri loop sends %d" % round(uri_requests * BULK))
    ctx.row(label + ": the re-run", "pd_incidents reads + writes, nothing left to resolve", rerun, unit="requests",
            goal="no write", met=rerun["writes"] == 0)


# -- 9. a large listing that stays light -----------------------------------------------------------------------
@bench("list-users-fields")
def bench_list_users_fields(ctx):
    """Listing the addresses of 10,000 users (fields: [email]), 20 ms per request, vs the python-pagerduty script."""
    sim = ctx.sim
    sim.reset(extra_users=USERS)
    try:
        sim.fault(method="GET", path="^/users$", latency=0.02, count=None)
        listing = Listing(ctx)
        listing.expected = _ids(json.loads(_timed_process(
            [sys.executable, "-c", THEIR_SCRIPT, ADMIN_TOKEN, sim.url], listing.env)[1]))
        listing.args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"fields": ["email"]}}))
        samples = {"script": [], "module": [], "task": []}
        for unused in range(1 if ctx.quick else 3):
            samples["script"].append(listing.their_script())
            samples["module"].append(listing.module_process())
            full = ctx.playbook("list_users_fields.yml", {"list_users": True, "expected": len(listing.expected)})
            samples["task"].append(full - ctx.playbook("list_users_fields.yml", {"list_users": False}))
        median = dict((name, statistics.median(values)) for name, values in samples.items())
        label = "9. List 10,000 users' addresses (fields: [email]), 20 ms per request"
        ctx.row(label + ": end to end", "pd_user_info task in a playbook (minus the play without it) vs the "
                "python-pagerduty script of 3 (every user, as JSON), s", median["task"], median["script"], unit="s",
                goal="ratio <= 1.0", met=median["task"] / median["script"] <= 1.0)
        ctx.row(label + ": the module alone", "pd_user_info run as a process vs the same script, s",
                median["module"], median["script"], unit="s")
    finally:
        sim.call("DELETE", "/_sim/faults")
        sim.reset(extra_users=0)


from bench_eda import register as _register_eda  # noqa: E402  (benchmarks 6 and 7: the EDA source and loop)

_register_eda(bench)


def write_results(ctx, name="latest"):
    """results/latest.{json,md} after a run of every benchmark; results/NAME.{json,md} after ``--only``."""
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = sorted(ctx.rows, key=lambda r: int(r["benchmark"].split(".")[0]))  # stable: in run order within each
    with open(RESULTS / (name + ".json"), "w") as handle:
        json.dump({"when": stamp, "python": sys.version.split()[0], "rows": rows}, handle, indent=2)
        handle.write("\n")
    lines = ["Measured %s on one machine, side by side in one run (`make bench`)." % stamp, "",
             "| Benchmark | Measure | Ours | Theirs | Ratio | Goal | Met |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        ratio = shown_ratio(row["ratio"])
        met = "" if row["met"] is None else ("yes" if row["met"] else "**no**")
        measure = row["measure"] + (" (%s)" % row["note"] if row["note"] else "")
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (row["benchmark"], measure, shown(row["ours"]),
                                                               shown(row["theirs"]), ratio, row["goal"], met))
    (RESULTS / (name + ".md")).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tasks and rounds (a smoke run)")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHES), help="run only these benchmarks")
    parser.add_argument("--ansible-eda", help="ansible.eda, to compare its webhook source with ours: a collection "
                        "tarball, a collections directory, or webhook.py itself (default: an installed ansible.eda, "
                        "else ansible-galaxy collection install ansible.eda into .cache/)")
    args = parser.parse_args()
    os.environ["BENCH_ANSIBLE_EDA"] = args.ansible_eda or ""
    os.environ.setdefault("PAGERDUTY_API_TOKEN", ADMIN_TOKEN)
    os.environ.setdefault("PAGERDUTY_ROUTING_KEY", ROUTING_KEY)
    ctx = Context(args.quick)
    try:
        for name, function in BENCHES.items():
            if args.only and name not in args.only:
                continue
            print("== %s: %s" % (name, function.__doc__.strip().splitlines()[0]))
            ctx.sim.reset()
            function(ctx)
    finally:
        ctx.sim.stop()
    write_results(ctx, "-".join(sorted(args.only)) if args.only else "latest")


if __name__ == "__main__":
    main()
