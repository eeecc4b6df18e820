"""Incidents, their alerts, notes and log entries, and the rules PagerDuty applies to them."""

import datetime

from ..errors import (ApiError, InvalidInput, NotFound, PaymentRequired, ArgumentsCausedError,
                      RequestEntityTooLarge)
from .core import Store, isoformat, reference, resolve_ref, WEB_BASE
from ..openapi import parse_datetime

NOTE_MAX_LENGTH = 25000
NOTES_PER_INCIDENT = 2000
OPEN = ("triggered", "acknowledged")
# PUT /incidents: "A maximum of 250 incidents may be updated at a time. If more than this number of incidents are
# given, the API will respond with status 413 (Request Entity Too Large)." (PagerDuty's REST API document)
BULK_UPDATE_LIMIT = 250
# PUT /incidents/{id}/merge: "An incident cannot have more than 1000 alerts." (PagerDuty's REST API document)
ALERTS_PER_INCIDENT = 1000
# POST /incidents/{id}/snooze: duration "minimum": 1, "maximum": 604800 seconds (PagerDuty's REST API document)
SNOOZE_MAX_SECONDS = 604800


class IncidentAlreadyResolved(InvalidInput):
    status, code, message = 400, 1001, "Incident Already Resolved"


class CannotEscalate(InvalidInput):
    status, code, message = 400, 1006, "Cannot Escalate"


class NoUserOnCall(InvalidInput):
    status, code, message = 400, 1015, "Escalation Policy Has No User On Call"


class Incidents(object):
    """Incidents and what happens to them: their alerts, notes and log entries.

    Depends on the plumbing, the account's ``abilities``, the
    :class:`~pdsim.model.directory.Directory` (assignees, requesters, teams) and
    :class:`~pdsim.model.services.Services` (where an incident is routed, its priority).
    Areas that add to an incident's rendering register with :meth:`add_renderer`.
    """

    def __init__(self, plumbing, abilities, directory, services):
        self.plumbing = plumbing
        self.abilities = abilities
        self.directory = directory
        self.services = services
        self.incidents = Store("incident", "Incident")
        self.alerts = Store("alert", "Alert")
        self.log_entries = Store("log_entry", "Log Entry")
        self.notes = {}               # incident id -> [note]
        self.incident_counter = 0
        self._renderers = []          # renderer(incident, out): adds to a rendered incident
        self.string_incident_bodies = False     # see _check_body_details
        self._listeners = []          # listener(event_type, incident, agent, data): hears of each change
        directory.guard_user_deletion(self._refuse_deleting_assignee, first=True)

    def add_renderer(self, renderer):
        """Let another area add to every rendered incident: ``renderer(incident, out)`` changes ``out``."""
        self._renderers.append(renderer)

    def add_listener(self, listener):
        """Let another area hear of each change of an incident (webhooks): ``listener(event_type, incident, agent,
        data)``, where ``event_type`` is a V3 webhook event type and ``data`` None stands for the incident itself."""
        self._listeners.append(listener)

    def publish(self, event_type, incident, agent, data=None):
        """Tell the listeners of a change (the areas built on this one call it for their own changes too)."""
        for listener in self._listeners:
            listener(event_type, incident, agent, data)

    # -- lookups -------------------------------------------------------------
    def incident(self, id_or_number):
        """An incident by id or by number, as ``GET /incidents/{id}`` accepts both."""
        found = self.incidents.find(id_or_number)
        if found is None and str(id_or_number).isdigit():
            for incident in self.incidents.values():
                if incident["incident_number"] == int(id_or_number):
                    return incident
        if found is None:
            raise NotFound("Incident %s not found" % id_or_number)
        return found

    def open_incidents_assigned_to(self, user_id):
        return [i for i in self.incidents.values()
                if i["status"] in OPEN and any(a["assignee"]["id"] == user_id for a in i["assignments"])]

    def _refuse_deleting_assignee(self, user):
        open_incidents = self.open_incidents_assigned_to(user["id"])
        if open_incidents:
            # DELETE /users/{id}: "Returns 400 if the user has assigned incidents" (without offboarding)
            raise InvalidInput(
                "User cannot be deleted as they have %d open incident(s): %s"
                % (len(open_incidents),
                   ", ".join("#%d (%s)" % (i["incident_number"], i["id"]) for i in open_incidents)),
                message="Arguments Caused Error", code=2002,
            )

    def list_incidents(self, query):
        incidents = self.incidents.values()
        statuses = query.get("statuses[]")
        if statuses:
            incidents = [i for i in incidents if i["status"] in statuses]
        if query.get("service_ids[]"):
            incidents = [i for i in incidents if i["_service_id"] in query["service_ids[]"]]
        if query.get("team_ids[]"):
            wanted = set(query["team_ids[]"])
            incidents = [i for i in incidents if wanted & set(self._incident_team_ids(i))]
        if query.get("user_ids[]"):
            wanted = set(query["user_ids[]"])
            incidents = [i for i in incidents if wanted & {a["assignee"]["id"] for a in i["assignments"]}]
        if query.get("urgencies[]"):
            incidents = [i for i in incidents if i["urgency"] in query["urgencies[]"]]
        if query.get("incident_key"):
            incidents = [i for i in incidents if i.get("incident_key") == query["incident_key"]]
        if query.get("date_range") != "all":
            since, until = self._date_window(query.get("since"), query.get("until"))
            incidents = [i for i in incidents if since <= parse_datetime(i["created_at"]) <= until]
        return incidents

    def _date_window(self, since, until):
        try:
            end = parse_datetime(until) if until else self.plumbing.now()
            start = parse_datetime(since) if since else end - datetime.timedelta(days=30)
        except ValueError:
            raise InvalidInput("Invalid time values in 'since' and/or 'until' parameters",
                               code=2004, message="Invalid time values in 'since' and/or 'until' parameters")
        if start.tzinfo is None:
            start = start.replace(tzinfo=datetime.timezone.utc)
        if end.tzinfo is None:
            end = end.replace(tzinfo=datetime.timezone.utc)
        if start > end or end - start > datetime.timedelta(days=183):
            raise InvalidInput("The date range must be at most 6 months with since before until",
                               code=2005, message="Invalid Query Date Range")
        return start, end

    def incident_team_ids(self, incident):
        return self._incident_team_ids(incident)

    def _incident_team_ids(self, incident):
        policy = self.services.escalation_policies.find(incident["_policy_id"])
        return list(policy.get("team_ids", [])) if policy else []

    # -- rendering ------------------------------------------------------------
    def render_incident(self, incident, include=()):
        services, teams = self.services, self.directory.teams
        out = {k: v for k, v in incident.items() if not k.startswith("_")}
        service = services.services.find(incident["_service_id"])
        policy = services.escalation_policies.find(incident["_policy_id"])
        out["self"] = reference(incident)["self"]
        out["html_url"] = reference(incident)["html_url"]
        out["service"] = services.render_service(service) if "services" in include else reference(service)
        if policy is not None:
            out["escalation_policy"] = (services.render_escalation_policy(policy) if "escalation_policies" in include
                                        else reference(policy))
        out["teams"] = [self.directory.render_team(teams.get(t)) if "teams" in include else reference(teams.get(t))
                        for t in self._incident_team_ids(incident) if t in teams]
        out["assignments"] = [{"at": a["at"], "assignee": self._person(a["assignee"], "assignees" in include)}
                              for a in incident["assignments"]]
        out["acknowledgements"] = [
            {"at": a["at"], "acknowledger": self._person(a["acknowledger"], "acknowledgers" in include)}
            for a in incident["acknowledgements"]]
        priority = services.priorities.find(incident["_priority_id"]) if incident["_priority_id"] else None
        out["priority"] = services.render_priority(priority) if priority else None
        first = self.log_entries.find(incident["_first_trigger_log_entry_id"])
        if first is not None:
            out["first_trigger_log_entry"] = (self.render_log_entry(first) if "first_trigger_log_entries" in include
                                              else reference(first))
        alerts = [self.alerts.get(a) for a in incident["_alert_ids"]]
        out["alert_counts"] = {
            "all": len(alerts),
            "triggered": sum(1 for a in alerts if a["status"] == "triggered"),
            "resolved": sum(1 for a in alerts if a["status"] == "resolved"),
        }
        if "conference_bridge" in include:
            out["conference_bridge"] = incident.get("_conference_bridge") or {}
        for renderer in self._renderers:
            renderer(incident, out)
        return out

    def _person(self, ref, expand):
        """An assignee or acknowledger: the stored reference, or the whole user when asked and still there."""
        if expand and ref["id"] in self.directory.users:
            return self.directory.render_user(self.directory.users.get(ref["id"]))
        return dict(ref)

    def render_log_entry(self, entry):
        out = {k: v for k, v in entry.items() if not k.startswith("_")}
        out["self"] = reference(entry)["self"]
        out["html_url"] = None
        return out

    # -- log entries -----------------------------------------------------------
    def log(self, incident, kind, agent, summary, channel_type="api", **extra):
        entry_id = self.plumbing.new_id()
        entry = {
            "id": entry_id,
            "type": kind,
            "summary": summary,
            "created_at": self.plumbing.timestamp(),
            "agent": agent,
            "channel": {"type": channel_type},
            "service": reference(self.services.services.get(incident["_service_id"])),
            "incident": reference(incident),
            "teams": [reference(self.directory.teams.get(t)) for t in self._incident_team_ids(incident)
                      if t in self.directory.teams],
            "contexts": [],
        }
        entry.update(extra)
        self.log_entries.add(entry)
        incident["_log_entry_ids"].append(entry_id)
        return entry

    def incident_log_entries(self, incident):
        """Newest first, as PagerDuty lists them."""
        return [self.log_entries.get(i) for i in reversed(incident["_log_entry_ids"])]

    # -- creation -------------------------------------------------------------
    def _new_incident(self, service, title, agent, channel_type, urgency=None, incident_key=None,
                      policy=None, assignees=None, priority=None, body_details=None):
        self.incident_counter += 1
        now = self.plumbing.timestamp()
        incident_id = self.plumbing.new_id()
        policy = policy or self.services.escalation_policies.get(service["escalation_policy"]["id"])
        incident = {
            "id": incident_id,
            "type": "incident",
            "summary": "[#%d] %s" % (self.incident_counter, title),
            "incident_number": self.incident_counter,
            "title": title,
            "description": title,
            "created_at": now,
            "updated_at": now,
            "status": "triggered",
            "incident_key": incident_key,
            "assignments": [],
            "assigned_via": "direct_assignment" if assignees else "escalation_policy",
            "last_status_change_at": now,
            "last_status_change_by": agent,
            "resolved_at": None,
            "is_mergeable": True,
            "incident_type": {"name": "incident_default"},
            "pending_actions": [],
            "acknowledgements": [],
            "alert_grouping": None,
            "resolve_reason": None,
            "urgency": urgency or service.get("incident_urgency_rule", {}).get("urgency") or "high",
            "_service_id": service["id"],
            "_policy_id": policy["id"],
            "_priority_id": priority["id"] if priority else None,
            "_level": 1,
            "_alert_ids": [],
            "_log_entry_ids": [],
            "_body_details": body_details,
            "_first_trigger_log_entry_id": None,
        }
        incident["html_url"] = "%s/incidents/%s" % (WEB_BASE, incident_id)
        self.incidents.add(incident)
        self.notes[incident_id] = []
        trigger = self.log(incident, "trigger_log_entry", agent, "Triggered through the API.", channel_type,
                           event_details={"description": title})
        incident["_first_trigger_log_entry_id"] = trigger["id"]
        if assignees:
            self._assign(incident, assignees, agent, via="direct_assignment", announce=False)
        else:
            self._assign_level(incident, policy, 1, agent, entry_kind=None)
        self.publish("incident.triggered", incident, agent)
        return incident

    def create_incident(self, requester, fields):
        if "urgency" in fields and fields["urgency"] == "low" and "urgencies" not in self.abilities:
            raise PaymentRequired("The account does not have the urgencies ability")
        service = resolve_ref(self.services.services, fields.get("service"), ("service_reference", "service"))
        if fields.get("escalation_policy") and fields.get("assignments"):
            raise InvalidInput("Assignments cannot be specified if an escalation policy is given")
        key = fields.get("incident_key")
        if key:
            for other in self.incidents.values():
                if (other["_service_id"] == service["id"] and other.get("incident_key") == key
                        and other["status"] in OPEN):
                    raise InvalidInput("Open incident with key %r already exists (%s)" % (key, other["id"]),
                                       message="Incident could not be created")
        policy = None
        if fields.get("escalation_policy"):
            policy = resolve_ref(self.services.escalation_policies, fields["escalation_policy"],
                                 ("escalation_policy_reference", "escalation_policy"))
        assignees = None
        if fields.get("assignments"):
            # "Only one assignee is supported at this time" (PagerDuty developer docs, Incident Creation API)
            if len(fields["assignments"]) > 1:
                raise InvalidInput("Only one assignee is supported at this time")
            assignees = [self._assignee(a) for a in fields["assignments"]]
        priority = self.services.priority_by_ref(fields["priority"]) if fields.get("priority") else None
        body = fields.get("body") or {}
        self._check_body_details(body.get("details"))
        agent = reference(requester)
        incident = self._new_incident(service, fields["title"], agent, "api", urgency=fields.get("urgency"),
                                      incident_key=key, policy=policy, assignees=assignees, priority=priority,
                                      body_details=body.get("details"))
        if assignees and [user["id"] for user in assignees] == [requester["id"]]:
            # "When a user creates an incident assigned to themselves, the incident will be created in the
            # Acknowledged state and will not notify the user" (developer docs, Incident Creation API)
            self._set_status(incident, "acknowledged", agent, requester)
        return incident

    def _check_body_details(self, details):
        """``body.details``: PagerDuty's OpenAPI document says an object, its Incident Creation API guide says
        "currently only supports string Incident bodies" (and PagerDuty's go-pagerduty sends a string). Which
        one PagerDuty enforces is uncertain: by default the simulator follows the OpenAPI document (contract
        validation refuses a string); with ``/_sim/config {"string_incident_bodies": true}`` it follows the
        guide and refuses an object, so that pd_incident is tested under both readings."""
        if self.string_incident_bodies and details is not None and not isinstance(details, str):
            raise InvalidInput("Incident body details must be a string")

    def _assignee(self, assignment):
        ref = (assignment or {}).get("assignee") or {}
        user = self.directory.users.find(ref.get("id"))
        if user is None:
            raise InvalidInput("Assigned user %s not found" % ref.get("id"), code=1007,
                               message="Assigned To User Not Found")
        return user

    # -- assignment and escalation ---------------------------------------------
    def _assign(self, incident, users, agent, via, entry_kind="assign_log_entry", announce=True):
        now = self.plumbing.timestamp()
        incident["assignments"] = [{"at": now, "assignee": reference(u)} for u in users]
        incident["assigned_via"] = via
        if entry_kind:
            self.log(incident, entry_kind, agent,
                     "Assigned to %s." % ", ".join(u["name"] for u in users),
                     assignees=[reference(u) for u in users])
        if entry_kind and announce:
            self.publish("incident.reassigned", incident, agent)

    def _assign_level(self, incident, policy, level, agent, entry_kind="escalate_log_entry"):
        """Assign ``level`` of ``policy``, logging ``entry_kind`` (escalate, delegate or assign) and the assignment."""
        users = self.services.on_call_at(policy, level)
        if not users:
            raise NoUserOnCall("No one is on call at level %d of escalation policy %s" % (level, policy["name"]))
        incident["_level"] = level
        incident["_policy_id"] = policy["id"]
        now = self.plumbing.timestamp()
        incident["assignments"] = [{"at": now, "assignee": reference(u)} for u in users]
        incident["assigned_via"] = "escalation_policy"
        names = ", ".join(u["name"] for u in users)
        assignees = [reference(u) for u in users]
        if entry_kind == "escalate_log_entry":
            self.log(incident, entry_kind, agent, "Escalated to level %d: %s." % (level, names), assignees=assignees)
        elif entry_kind == "delegate_log_entry":
            self.log(incident, entry_kind, agent, "Delegated to escalation policy %s." % policy["name"],
                     assignees=assignees)
        if entry_kind:
            self.log(incident, "assign_log_entry", agent, "Assigned to %s." % names, assignees=assignees)
            self.publish({"escalate_log_entry": "incident.escalated", "delegate_log_entry": "incident.delegated"}.get(
                entry_kind, "incident.reassigned"), incident, agent)

    def _unacknowledge(self, incident, agent):
        """A reassigned incident goes back to triggered: its new assignees are paged and must acknowledge it."""
        now = self.plumbing.timestamp()
        incident["status"] = "triggered"
        incident["acknowledgements"] = []
        incident["last_status_change_at"] = now
        incident["last_status_change_by"] = agent

    # -- updates -----------------------------------------------------------------
    def update_incident(self, requester, incident_id, fields):
        """``PUT /incidents/{id}``: check the update as PagerDuty does, then apply it."""
        return self._prepare_update(requester, self.incident(incident_id), fields)()

    def update_incidents(self, requester, items):
        """``PUT /incidents``: several updates, each ``{"id", "type", ...fields}``; the changed incidents.

        PagerDuty's document: at most 250 incidents (413 above that), and 200 means "All of the updates
        succeeded". It does not document a partial update; the simulator checks every item first and
        refuses the whole request, naming the item, when one is refused (nothing is changed).
        """
        if len(items) > BULK_UPDATE_LIMIT:
            raise RequestEntityTooLarge("A maximum of %d incidents may be updated at a time; %d were given"
                                        % (BULK_UPDATE_LIMIT, len(items)))
        seen, prepared = set(), []
        for index, fields in enumerate(items):
            try:
                incident = self._bulk_item(fields, seen)
                prepared.append(self._prepare_update(requester, incident, fields))
            except ApiError as error:
                error.errors.append("incidents[%d] (%s)" % (index, (fields or {}).get("id")))
                raise
        return [apply() for apply in prepared]

    def _bulk_item(self, fields, seen):
        """The incident one item of a bulk update names (each once: the simulator refuses a repeat)."""
        incident = self.incident((fields or {}).get("id"))
        if incident["id"] in seen:
            raise InvalidInput("Incident %s is given more than once" % incident["id"])
        seen.add(incident["id"])
        return incident

    def _prepare_update(self, requester, incident, fields):
        """Refuse what PagerDuty refuses in this update; else the function (no arguments) that applies it."""
        self._check_update(incident, fields)
        policy = None
        if fields.get("escalation_policy"):
            policy = resolve_ref(self.services.escalation_policies, fields["escalation_policy"],
                                 ("escalation_policy_reference", "escalation_policy"))
        users = [self._assignee(a) for a in fields["assignments"]] if fields.get("assignments") else None
        assign = self._planned_assignment(incident, fields, policy, users, requester)
        return lambda: self._apply_update(requester, incident, fields, assign)

    def _apply_update(self, requester, incident, fields, assign):
        """Change the incident as a checked update says; returns it."""
        agent = reference(requester)
        if "title" in fields and fields["title"] != incident["title"]:
            incident["title"] = incident["description"] = fields["title"]
            incident["summary"] = "[#%d] %s" % (incident["incident_number"], fields["title"])
        if "priority" in fields:
            priority = self.services.priority_by_ref(fields["priority"]) if fields["priority"] else None
            changed = incident["_priority_id"] != (priority["id"] if priority else None)
            incident["_priority_id"] = priority["id"] if priority else None
            if changed:
                self.publish("incident.priority_updated", incident, agent)
        if "urgency" in fields and fields["urgency"] != incident["urgency"]:
            incident["urgency"] = fields["urgency"]
            self.log(incident, "urgency_change_log_entry", agent, "Urgency changed to %s." % fields["urgency"])
        reassigned = bool(fields.get("escalation_policy") or fields.get("assignments") or "escalation_level" in fields)
        if reassigned or fields.get("status") in ("acknowledged", "resolved"):
            # "Reassigning a snoozed incident will cancel the snooze timer"; another acknowledgement un-snoozes it
            # (PagerDuty Support, "Snooze an Incident")
            self._end_snooze(incident)
        if fields.get("status"):
            self._set_status(incident, fields["status"], agent, requester, fields.get("resolution"))
        if assign is not None:
            assign(agent)
        # PagerDuty does not document the order within one request: the status is applied first, so an
        # acknowledgement sent together with a reassignment ends triggered like any reassigned incident.
        if reassigned and incident["status"] == "acknowledged":
            self._unacknowledge(incident, agent)
        incident["updated_at"] = self.plumbing.timestamp()
        return incident

    def _check_update(self, incident, fields):
        """Refuse what PagerDuty refuses, before anything changes."""
        status = fields.get("status")
        if fields.get("assignments") and fields.get("escalation_policy"):
            raise InvalidInput("Assignments cannot be given together with an escalation policy")
        if fields.get("resolution") and status != "resolved":
            raise InvalidInput("resolution can only be given when resolving the incident")
        resolved = incident["status"] == "resolved"
        reopening = resolved and status in OPEN
        if resolved and not reopening:
            for key in ("escalation_level", "assignments", "escalation_policy", "urgency"):
                if key in fields:
                    raise IncidentAlreadyResolved("Incident %s is resolved" % incident["id"])
            if status == "resolved":
                raise IncidentAlreadyResolved("Incident %s is already resolved" % incident["id"])
        if status == "resolved":
            # a resolved incident has no assignees: nothing can be assigned in the request that resolves it
            given = [key for key in ("assignments", "escalation_policy", "escalation_level") if key in fields]
            if given:
                raise InvalidInput("%s cannot be given when resolving an incident" % ", ".join(given))
        if "urgency" in fields and fields["urgency"] != incident["urgency"] and "urgencies" not in self.abilities:
            raise PaymentRequired("The account does not have the urgencies ability")
        if "escalation_level" in fields:
            self._check_escalation_level(incident, fields)

    def _planned_assignment(self, incident, fields, policy, users, requester):
        """What assigns the incident after this update (a function of the agent), or None; checked now.

        Reopening to triggered assigns along the request's assignees or escalation policy, else along the current
        policy; reopening to acknowledged assigns the acting user (PagerDuty's PUT /incidents/{id}).
        """
        status = fields.get("status")
        reopening = incident["status"] == "resolved" and status in OPEN
        if users:
            return lambda agent: self._assign(incident, users, agent, via="direct_assignment")
        current = self.services.escalation_policies.get(incident["_policy_id"])
        level = fields.get("escalation_level")
        if level is not None:
            target, entry_kind = policy or current, "escalate_log_entry"
        elif policy is not None:
            target, level, entry_kind = policy, 1, "delegate_log_entry"
        elif reopening and status == "triggered":
            target, level, entry_kind = current, 1, "assign_log_entry"
        elif reopening:
            return lambda agent: self._assign(incident, [requester], agent, via="direct_assignment")
        else:
            return None
        if not self.services.on_call_at(target, level):
            raise NoUserOnCall("No one is on call at level %d of escalation policy %s" % (level, target["name"]))
        return lambda agent: self._assign_level(incident, target, level, agent, entry_kind)

    def _check_escalation_level(self, incident, fields):
        level = fields["escalation_level"]
        policy_ref = fields.get("escalation_policy")
        policy = (self.services.escalation_policies.find(policy_ref.get("id")) if policy_ref
                  else self.services.escalation_policies.find(incident["_policy_id"]))
        if policy is None:
            raise CannotEscalate("The incident has no escalation policy")
        if not 1 <= level <= len(policy["escalation_rules"]):
            raise CannotEscalate("Escalation level %d is outside escalation policy %s (levels 1 to %d)"
                                 % (level, policy["name"], len(policy["escalation_rules"])))

    def _set_status(self, incident, status, agent, requester, resolution=None):
        now = self.plumbing.timestamp()
        previous = incident["status"]
        if previous == "resolved" and status in OPEN:
            incident["resolved_at"] = incident["resolve_reason"] = None     # reopened
        if status == "acknowledged":
            incident["status"] = "acknowledged"
            if not any(a["acknowledger"]["id"] == requester["id"] for a in incident["acknowledgements"]):
                incident["acknowledgements"].append({"at": now, "acknowledger": agent})
            self.log(incident, "acknowledge_log_entry", agent, "Acknowledged by %s." % agent["summary"])
        elif status == "triggered":
            # PagerDuty reopens a resolved incident as triggered (OpenAPI, PUT /incidents/{id}, "status"), but does
            # not take an acknowledged one back to triggered on "status" alone: the community answer "Rest API
            # Status is not changed from Acknowledge to Trigger" (community.pagerduty.com/forum/t/4086) shows it
            # ignored, and a reassignment or "escalation_level" as the way to re-trigger. Not in PagerDuty's
            # reference, so uncertain; pd_incident re-triggers by escalating, which works under either reading.
            if previous in ("triggered", "acknowledged"):
                return
            incident["status"] = "triggered"
            incident["acknowledgements"] = []
            self.log(incident, "unacknowledge_log_entry", agent, "Unacknowledged by %s." % agent["summary"])
        elif status == "resolved":
            incident["status"] = "resolved"
            incident["resolved_at"] = now
            incident["acknowledgements"] = []
            incident["assignments"] = []
            for alert_id in incident["_alert_ids"]:
                alert = self.alerts.get(alert_id)
                if alert["status"] != "resolved":
                    alert["status"] = "resolved"
                    alert["resolved_at"] = now
            extra = {"note": resolution} if resolution else {}
            self.log(incident, "resolve_log_entry", agent, "Resolved by %s." % agent["summary"], **extra)
        if incident["status"] != previous:
            incident["last_status_change_at"] = now
            incident["last_status_change_by"] = agent
            self._publish_status(incident, previous, agent)

    def _publish_status(self, incident, previous, agent):
        """docs/webhooks/01-Overview.md, "Event Types": reopened, unacknowledged, acknowledged, resolved."""
        status = incident["status"]
        if previous == "resolved":
            self.publish("incident.reopened", incident, agent)
        elif status == "triggered":
            self.publish("incident.unacknowledged", incident, agent)
        if status in ("acknowledged", "resolved"):
            self.publish("incident." + status, incident, agent)

    # -- merging and snoozing -------------------------------------------------------
    def merge_incidents(self, requester, target_id, sources):
        """``PUT /incidents/{id}/merge``: the sources' alerts move to the target and the sources are resolved.

        PagerDuty's document: "After the merge is performed the target incident will contain the source
        incidents' alerts, and the source incidents will be resolved"; "Only incidents that have alerts or
        incidents that were created manually in the UI can be merged"; "The target incident must be open";
        "An incident cannot have more than 1000 alerts". PagerDuty Support ("Edit Incidents", What happens when
        incidents are merged): the others are resolved "with the reason for the resolution listed as 'merged'",
        referencing the target (the incident's ``resolve_reason``, a ``merge_resolve_reason``).
        """
        target = self.incident(target_id)
        if target["status"] not in OPEN:
            raise ArgumentsCausedError("Open incidents cannot be merged into a resolved incident (%s is resolved)"
                                       % target["id"])
        if not sources:
            raise InvalidInput("source_incidents must name at least one incident")
        found = []
        for index, ref in enumerate(sources):
            found.append(self._merge_source(target, index, ref, found))
        alerts = len(target["_alert_ids"]) + sum(len(source["_alert_ids"]) for source in found)
        if alerts > ALERTS_PER_INCIDENT:
            raise ArgumentsCausedError("Merging would give incident %s %d alerts; an incident cannot have more than "
                                       "%d" % (target["id"], alerts, ALERTS_PER_INCIDENT))
        agent = reference(requester)
        for source in found:
            self._merge_into(target, source, agent)
        target["updated_at"] = self.plumbing.timestamp()
        return target

    def _merge_source(self, target, index, ref, found):
        """The incident ``source_incidents[index]`` names, once it is one PagerDuty can merge into ``target``."""
        if not isinstance(ref, dict) or not ref.get("id"):
            raise InvalidInput("source_incidents[%d] must be an incident reference with an id" % index)
        source = self.incident(ref["id"])
        if source["id"] == target["id"]:
            raise InvalidInput("Incident %s cannot be merged into itself" % source["id"])
        if any(other["id"] == source["id"] for other in found):
            raise InvalidInput("Incident %s is given more than once" % source["id"])
        if not source["is_mergeable"]:
            raise ArgumentsCausedError("Incident %s cannot be merged: only incidents that have alerts or that were "
                                       "created manually can be merged" % source["id"])
        if source["status"] == "resolved":
            # not documented; the source incidents are open ones that the merge resolves, so the simulator refuses
            # a resolved one as PUT /incidents/{id} refuses resolving it again
            raise IncidentAlreadyResolved("Incident %s is already resolved" % source["id"])
        return source

    def _merge_into(self, target, source, agent):
        now = self.plumbing.timestamp()
        for alert_id in source["_alert_ids"]:
            self.alerts.get(alert_id)["_incident_id"] = target["id"]
            target["_alert_ids"].append(alert_id)
        source["_alert_ids"] = []
        self._end_snooze(source)
        source.update(status="resolved", resolved_at=now, last_status_change_at=now, last_status_change_by=agent,
                      updated_at=now, acknowledgements=[], assignments=[],
                      resolve_reason={"type": "merge_resolve_reason", "incident": reference(target)})
        self.log(source, "resolve_log_entry", agent, "Resolved by merging into incident #%d."
                 % target["incident_number"])
        self.publish("incident.resolved", source, agent)

    def snooze(self, requester, incident_id, duration):
        """``POST /incidents/{id}/snooze``: the acknowledged incident stays acknowledged for ``duration`` seconds,
        then returns to triggered.

        PagerDuty Support, "Snooze an Incident": "You're only able to snooze acknowledged incidents"; when the snooze
        times out "the incident returned to a triggered state" and notifies again; the incident log captures every
        snooze. PagerDuty's document: after ``duration`` seconds "the incident will return to the 'triggered'
        state"; a ``snooze_log_entry`` carries the ``changed_actions``, the incident its ``pending_actions``.
        """
        incident = self.incident(incident_id)
        if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= SNOOZE_MAX_SECONDS:
            raise InvalidInput("duration must be a number of seconds from 1 to %d" % SNOOZE_MAX_SECONDS)
        if incident["status"] == "resolved":
            raise IncidentAlreadyResolved("Incident %s is resolved" % incident["id"])
        if incident["status"] != "acknowledged":
            raise ArgumentsCausedError("Incident %s is %s: only acknowledged incidents can be snoozed"
                                       % (incident["id"], incident["status"]))
        self._end_snooze(incident)      # a new snooze replaces the one running
        ends = self.plumbing.now() + datetime.timedelta(seconds=duration)
        action = {"type": "unacknowledge", "at": isoformat(ends)}
        incident["pending_actions"] = [action]
        incident["_snooze_timer"] = self.plumbing.schedule(ends, lambda: self._snooze_ended(incident))
        self.log(incident, "snooze_log_entry", reference(requester), "Snoozed for %d seconds." % duration,
                 changed_actions=[dict(action)])
        incident["updated_at"] = self.plumbing.timestamp()
        return incident

    def _snooze_ended(self, incident):
        """The snooze timed out: the incident is triggered again (its assignees are paged again)."""
        incident["_snooze_timer"] = None
        incident["pending_actions"] = []
        if incident["status"] != "acknowledged":
            return
        agent = reference(self.services.services.get(incident["_service_id"]))
        self._unacknowledge(incident, agent)
        self.log(incident, "unacknowledge_log_entry", agent, "Unacknowledged: the snooze timed out.", "timeout")
        self.publish("incident.unacknowledged", incident, agent)
        incident["updated_at"] = self.plumbing.timestamp()

    def _end_snooze(self, incident):
        self.plumbing.cancel(incident.get("_snooze_timer"))
        incident["_snooze_timer"] = None
        incident["pending_actions"] = []

    # -- notes -----------------------------------------------------------------
    def add_note(self, requester, incident_id, content):
        incident = self.incident(incident_id)
        if not content or not content.strip():
            raise ArgumentsCausedError("Content can't be blank")
        if len(content) > NOTE_MAX_LENGTH:
            raise ArgumentsCausedError("Content is too long (maximum is %d characters)" % NOTE_MAX_LENGTH)
        notes = self.notes[incident["id"]]
        if len(notes) >= NOTES_PER_INCIDENT:
            raise ArgumentsCausedError("An incident can have at most %d notes" % NOTES_PER_INCIDENT)
        note = {
            "id": self.plumbing.new_id(),
            "user": reference(requester),
            "channel": {"summary": "The PagerDuty website or APIs"},
            "content": content,
            "created_at": self.plumbing.timestamp(),
        }
        notes.append(note)
        self.log(incident, "annotate_log_entry", reference(requester), "Note added", channel_type="note",
                 note=content)
        incident["updated_at"] = note["created_at"]
        self.publish("incident.annotated", incident, reference(requester), {
            "incident": reference(incident), "id": note["id"], "content": content, "trimmed": False,
            "type": "incident_note"})
        return note

    # -- alerts from the Events API ------------------------------------------------
    def open_alert(self, integration_id, dedup_key):
        for alert in self.alerts.values():
            if (alert["_integration_id"] == integration_id and alert["alert_key"] == dedup_key
                    and alert["status"] == "triggered"):
                return alert
        return None

    def trigger_alert(self, service, integration, event, dedup_key):
        payload = event.get("payload") or {}
        agent = {"id": integration["id"], "type": "events_api_v2_inbound_integration_reference",
                 "summary": integration["summary"],
                 "self": "https://api.pagerduty.com/services/%s/integrations/%s" % (service["id"], integration["id"])}
        alert = self.open_alert(integration["id"], dedup_key)
        if alert is not None:
            incident = self.incidents.get(alert["_incident_id"])
            self.log(incident, "trigger_log_entry", agent, "Triggered through the API.", "api",
                     event_details={"description": payload.get("summary")})
            return alert
        incident = self._new_incident(service, payload.get("summary"), agent, "api", incident_key=dedup_key)
        now = self.plumbing.timestamp()
        alert = {
            "id": self.plumbing.new_id(),
            "type": "alert",
            "summary": payload.get("summary"),
            "alert_key": dedup_key,
            "status": "triggered",
            "severity": payload.get("severity"),
            "created_at": now,
            "resolved_at": None,
            "suppressed": False,
            "body": {"type": "alert_body", "contexts": [], "details": payload.get("custom_details") or {},
                     "cef_details": dict(payload, client=event.get("client"), client_url=event.get("client_url"))},
            "_integration_id": integration["id"],
            "_incident_id": incident["id"],
            "_service_id": service["id"],
            "_links": event.get("links") or [],
            "_images": event.get("images") or [],
        }
        self.alerts.add(alert)
        incident["_alert_ids"].append(alert["id"])
        incident["alert_grouping"] = None
        return alert

    def acknowledge_alert(self, integration, dedup_key):
        alert = self.open_alert(integration["id"], dedup_key)
        if alert is None:
            return None
        incident = self.incidents.get(alert["_incident_id"])
        if incident["status"] == "triggered":
            agent = {"id": integration["id"], "type": "events_api_v2_inbound_integration_reference",
                     "summary": integration["summary"]}
            incident["status"] = "acknowledged"
            incident["acknowledgements"].append({"at": self.plumbing.timestamp(), "acknowledger": agent})
            incident["last_status_change_at"] = incident["updated_at"] = self.plumbing.timestamp()
            incident["last_status_change_by"] = agent
            self.log(incident, "acknowledge_log_entry", agent, "Acknowledged through the API.")
            self.publish("incident.acknowledged", incident, agent)
        return alert

    def resolve_alert(self, integration, dedup_key):
        alert = self.open_alert(integration["id"], dedup_key)
        if alert is None:
            return None
        now = self.plumbing.timestamp()
        alert["status"] = "resolved"
        alert["resolved_at"] = now
        incident = self.incidents.get(alert["_incident_id"])
        if incident["status"] != "resolved" and all(
                self.alerts.get(a)["status"] == "resolved" for a in incident["_alert_ids"]):
            agent = {"id": integration["id"], "type": "events_api_v2_inbound_integration_reference",
                     "summary": integration["summary"]}
            self._end_snooze(incident)
            incident["status"] = "resolved"
            incident["resolved_at"] = incident["last_status_change_at"] = incident["updated_at"] = now
            incident["last_status_change_by"] = agent
            incident["acknowledgements"] = []
            incident["assignments"] = []
            self.log(incident, "resolve_log_entry", agent, "Resolved through the API.")
            self.publish("incident.resolved", incident, agent)
        return alert

    def render_alert(self, alert):
        out = {k: v for k, v in alert.items() if not k.startswith("_")}
        out["self"] = reference(alert)["self"]
        out["html_url"] = reference(alert)["html_url"]
        out["service"] = reference(self.services.services.get(alert["_service_id"]))
        out["incident"] = reference(self.incidents.get(alert["_incident_id"]))
        return out
