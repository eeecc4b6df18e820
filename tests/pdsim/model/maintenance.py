"""Maintenance windows: services taken out of incident creation for a while.

PagerDuty's rules, with where each is documented (REST API reference, ``/maintenance_windows``, unless said):

* ``start_time`` is "when the services will stop creating incidents. If this date is in the past, it will be
  updated to be the current time"; ``end_time`` "must be in the future and after the ``start_time``".
* ``services`` is required; ``teams`` is read-only (a window's teams are its services' teams).
* ``DELETE``: "Delete an existing maintenance window if it's in the future, or end it if it's currently on-going.
  If the maintenance window has already ended it cannot be deleted" (405).
* ``GET`` ``filter``: past, future, ongoing, open (ongoing and future) or all; ``team_ids[]`` needs the account's
  ``teams`` ability; ``query`` matches the description.
* While a service is in a maintenance window "no new incidents will trigger", its integrations are "effectively
  switched off", and "incidents cannot be resolved through the Events API"; open incidents stay open.
  support.pagerduty.com/docs/maintenance-windows.  (Events API behaviour: ``pdsim.model.events``.)

One reading where the document is silent: updating a window that has begun keeps its start (the rule that moves a
past start to the current time is applied to windows that have not begun), so that a window under way is not
restarted by a change of its description or end.
"""

from ..errors import InvalidInput, MethodNotAllowed
from .core import Store, isoformat, moment, reference, resolve_ref, WEB_BASE

FILTERS = ("past", "future", "ongoing", "open", "all")


class Maintenance(object):
    """Maintenance windows, and which services are in maintenance at a given time.

    Depends on the plumbing (IDs, the clock), the :class:`~pdsim.model.directory.Directory` (who created a
    window; the ``teams`` ability) and :class:`~pdsim.model.services.Services` (the services in maintenance).
    """

    def __init__(self, plumbing, directory, services):
        self.plumbing = plumbing
        self.directory = directory
        self.services = services
        self.windows = Store("maintenance_window", "Maintenance Window")
        self.sequence = 0

    def load(self, seed):
        """Maintenance windows of a seed: ``{"id", "description", "services": [name or ID], "start", "end"}``."""
        for spec in seed.get("maintenance_windows", []):
            services = [self._seed_service(name) for name in spec["services"]]
            self._add(self.plumbing.seed_id(spec), moment(spec["start"], "start"), moment(spec["end"], "end"),
                      spec.get("description"), services, None)

    def _seed_service(self, name):
        for service in self.services.services.values():
            if name in (service["id"], service["name"]):
                return service
        raise ValueError("seed refers to unknown service %s" % name)

    # -- states -----------------------------------------------------------------------------------
    def state(self, window, at=None):
        """``future``, ``ongoing`` or ``past`` at ``at`` (default now)."""
        at = at or self.plumbing.now()
        if window["start"] > at:
            return "future"
        return "ongoing" if window["end"] > at else "past"

    def in_maintenance(self, service_id, at=None):
        """The window that has ``service_id`` in maintenance at ``at`` (default now), or None."""
        for window in self.windows.values():
            if service_id in window["service_ids"] and self.state(window, at) == "ongoing":
                return window
        return None

    # -- operations ------------------------------------------------------------------------------------
    def create(self, requester, fields):
        start, end, services = self._checked(fields, started=False)
        return self._add(self.plumbing.new_id(), start, end, fields.get("description"), services, requester)

    def _add(self, window_id, start, end, description, services, requester):
        self.sequence += 1
        return self.windows.add({
            "id": window_id, "type": "maintenance_window", "summary": description or "", "description": description,
            "sequence_number": self.sequence, "start": start, "end": end,
            "service_ids": [s["id"] for s in services], "_created_by": requester["id"] if requester else None,
        })

    def _checked(self, fields, started):
        """(start, end, services) of a window's fields, refused as PagerDuty refuses them."""
        refs = fields.get("services")
        if not isinstance(refs, list) or not refs:
            raise InvalidInput("services must name at least one service")
        services = [resolve_ref(self.services.services, ref, ("service_reference", "service")) for ref in refs]
        start, end = moment(fields.get("start_time"), "start_time"), moment(fields.get("end_time"), "end_time")
        now = self.plumbing.now()
        if end <= now:
            raise InvalidInput("end_time must be in the future")
        if end <= start:
            raise InvalidInput("end_time must be after start_time")
        if start < now and not started:
            start = now
        return start, end, services

    def update(self, window_id, fields):
        window = self.windows.get(window_id)
        started = self.state(window) != "future"
        start, end, services = self._checked(fields, started)
        window.update(start=window["start"] if started and start <= self.plumbing.now() else start, end=end,
                      service_ids=[s["id"] for s in services])
        if "description" in fields:
            window["description"] = fields["description"]
            window["summary"] = fields["description"] or ""
        return window

    def delete(self, window_id):
        """Delete a future window, end an ongoing one now; an ended window cannot be deleted (405)."""
        window = self.windows.get(window_id)
        state = self.state(window)
        if state == "past":
            raise MethodNotAllowed("The maintenance window can't be deleted because it has already ended.")
        if state == "future":
            self.windows.delete(window_id)
        else:
            window["end"] = self.plumbing.now()

    def search(self, state=None, service_ids=None, team_ids=None, query=None):
        """``GET /maintenance_windows`` (``state``: its ``filter``), in order of start (then of creation)."""
        if state not in (None,) + FILTERS:
            raise InvalidInput("filter must be one of %s" % ", ".join(FILTERS))
        if team_ids:
            self.directory.require_teams()
        now = self.plumbing.now()
        found = []
        for window in self.windows.values():
            now_in = self.state(window, now)
            if state not in (None, "all") and now_in != state and not (state == "open" and now_in != "past"):
                continue
            if service_ids and not set(service_ids) & set(window["service_ids"]):
                continue
            if team_ids and not set(team_ids) & set(self._team_ids(window)):
                continue
            if query and query.lower() not in (window["description"] or "").lower():
                continue
            found.append(window)
        return sorted(found, key=lambda w: (w["start"], w["sequence_number"]))

    def _team_ids(self, window):
        services = [self.services.services.find(s) for s in window["service_ids"]]
        return list(dict.fromkeys(t for s in services if s for t in s.get("team_ids", [])))

    def render(self, window):
        out = {k: v for k, v in window.items() if k not in ("start", "end", "service_ids", "_created_by")}
        out.update(self=reference(window)["self"], html_url="%s/maintenance_windows/%s" % (WEB_BASE, window["id"]),
                   start_time=isoformat(window["start"]), end_time=isoformat(window["end"]),
                   services=[reference(s) for s in map(self.services.services.find, window["service_ids"]) if s],
                   teams=[reference(self.directory.teams.get(t)) for t in self._team_ids(window)
                          if t in self.directory.teams])
        creator = self.directory.users.find(window["_created_by"])
        if creator is not None:
            out["created_by"] = reference(creator)
        return out
