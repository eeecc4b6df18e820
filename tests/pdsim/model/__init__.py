"""The simulator's state: one PagerDuty account, area by area, with no HTTP in it.

Each area is an object holding its resources and PagerDuty's rules for them; it is
given the plumbing and the areas it builds on, and nothing else.  :class:`Account` is
the one place that builds them and wires them together.  Every method raises the
typed errors of :mod:`pdsim.errors`; the HTTP layer renders them.  Callers hold
:attr:`Account.lock` around anything that reads or changes state.
"""

import json
from pathlib import Path

from .core import Plumbing, Store, utcnow
from .directory import Directory
from .events import Events
from .incidents import Incidents
from .maintenance import Maintenance
from .response import Response
from .schedules import Schedules
from .services import Services
from .webhooks import Webhooks

DEFAULT_SEED = Path(__file__).resolve().parent.parent / "seeds" / "default.json"


def load_seed(path=None):
    with open(path or DEFAULT_SEED, encoding="utf-8") as handle:
        return json.load(handle)


class Account(object):
    """One PagerDuty account, built from a seed document.

    Its areas, each built on the ones before it:

    ============  =====================================================  ============================
    area          holds                                                  built on
    ============  =====================================================  ============================
    directory     users, teams, tokens                                   (plumbing, abilities)
    schedules     on-call schedules (layers, rotations), overrides       directory
    services      services, integrations, escalation policies,           directory, schedules
                  priorities, incident workflows
    incidents     incidents, alerts, notes, log entries                  directory, services
    response      on-calls, responder requests, workflow instances,      directory, services,
                  status updates                                         incidents
    maintenance   maintenance windows                                    directory, services
    events        Events API v2 (alert and change events)                services, incidents,
                                                                         maintenance
    webhooks      V3 webhook subscriptions, the webhooks sent on         directory, services,
                  incident changes (``dispatch`` sends them)             incidents
    ============  =====================================================  ============================
    """

    def __init__(self, seed, rng_seed=20261123, extra_users=0, now=utcnow, dispatch=None):
        self.plumbing = Plumbing(rng_seed, now)
        self.lock = self.plumbing.lock
        self.abilities = set(seed.get("abilities", []))     # what the account's plan allows, shared by the areas
        self.directory = Directory(self.plumbing, self.abilities, seed.get("time_zone", "Etc/UTC"))
        self.schedules = Schedules(self.plumbing, self.directory)
        self.services = Services(self.plumbing, self.directory, self.schedules)
        self.incidents = Incidents(self.plumbing, self.abilities, self.directory, self.services)
        self.response = Response(self.plumbing, self.abilities, self.directory, self.services, self.incidents)
        self.maintenance = Maintenance(self.plumbing, self.directory, self.services)
        self.events = Events(self.plumbing, self.services, self.incidents, self.maintenance)
        self.webhooks = Webhooks(self.plumbing, self.directory, self.services, self.incidents, dispatch)
        # The seed, area by area in the order above: seeded IDs are claimed and new ones handed out in this order.
        # (Schedules load before the services, whose policies target them; their seed gives every ID, so that no
        # generated ID moves.)
        self.directory.load(seed)
        self.schedules.load(seed)
        self.services.load(seed)
        self.maintenance.load(seed)
        if extra_users:
            self.directory.generate_users(extra_users)


__all__ = ["Account", "load_seed", "Store"]
