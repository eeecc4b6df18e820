"""Incident response: responder requests, incident workflow instances, stakeholder status updates, on-calls."""

from ..errors import ArgumentsCausedError, InvalidInput, NotFound, PaymentRequired
from .core import Store, isoformat, moment, reference

RESPONDER_STATES = ("pending", "joined", "declined", "user_cancelled")


def _earliest(entries):
    """The first entry of each (policy, level, user), in the order given."""
    seen, out = set(), []
    for entry in entries:
        key = (entry["escalation_policy"]["id"], entry["escalation_level"], entry["user"]["id"])
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


class Response(object):
    """Who responds to an incident and who hears about it: on-calls, responder requests,
    incident workflow instances and stakeholder status updates.

    Depends on the plumbing, the account's ``abilities``, the
    :class:`~pdsim.model.directory.Directory` (requesters and responders),
    :class:`~pdsim.model.services.Services` (policies, workflows) and
    :class:`~pdsim.model.incidents.Incidents` (the incidents responded to; it adds the
    responders to every rendered incident).
    """

    def __init__(self, plumbing, abilities, directory, services, incidents):
        self.plumbing = plumbing
        self.abilities = abilities
        self.directory = directory
        self.services = services
        self.incidents = incidents
        self.responder_requests = {}     # incident id -> [responder request]
        self.incident_responders = {}    # incident id -> {user id: incidents_responders entry}
        self.workflow_instances = Store("incident_workflow_instance", "Incident Workflow Instance")
        self.status_updates = {}         # incident id -> [status update]
        incidents.add_renderer(self.render_responders)

    # -- on-calls ----------------------------------------------------------------
    def oncalls(self, escalation_policy_ids=(), user_ids=(), schedule_ids=(), since=None, until=None,
                earliest=False):
        """``GET /oncalls``: who is on call at each level of each policy over ``[since, until]`` (both default to
        now), in policy, level and time order.

        A user target is on call for good (``start`` and ``end`` null); a schedule target's entries are its final
        schedule's shifts that overlap the range.  ``schedule_ids`` keeps the entries of those schedules (``null``
        among them keeps the user targets too); ``earliest`` keeps the first entry of each policy, level and user.
        REST API reference, ``GET /oncalls``: "If an on-call period overlaps with the range, it will be included";
        "the until time cannot be before the since time".
        """
        since, until = self._oncall_range(since, until)
        entries = []
        for policy in self.services.escalation_policies.values():
            if escalation_policy_ids and policy["id"] not in escalation_policy_ids:
                continue
            for level in range(1, len(policy["escalation_rules"]) + 1):
                for user, schedule, start, end in self.services.on_call_entries(policy, level, since, until):
                    if user_ids and user["id"] not in user_ids:
                        continue
                    if schedule_ids and (schedule["id"] if schedule else "null") not in schedule_ids:
                        continue
                    entries.append({
                        "escalation_policy": reference(policy), "escalation_level": level, "user": reference(user),
                        "schedule": reference(schedule) if schedule else None,
                        "start": isoformat(start) if start else None, "end": isoformat(end) if end else None,
                    })
        return _earliest(entries) if earliest else entries

    def _oncall_range(self, since, until):
        now = self.plumbing.now()
        since = moment(since, "since") if since else now
        until = moment(until, "until") if until else now
        if until < since:
            raise InvalidInput("The until time cannot be before the since time")
        return since, until

    # -- responder requests ----------------------------------------------------------
    def request_responders(self, incident_id, requester_id, message, targets):
        if "coordinated_responding" not in self.abilities:
            raise PaymentRequired("The account does not have the coordinated_responding ability")
        incident = self.incidents.incident(incident_id)
        requester = self.directory.users.find(requester_id)
        if requester is None:
            raise InvalidInput("Requester %s not found" % requester_id, code=1008, message="Requester User Not Found")
        if incident["status"] == "resolved":
            raise InvalidInput("Incident %s is resolved" % incident["id"], code=1001,
                               message="Incident Already Resolved")
        if not targets:
            raise ArgumentsCausedError("responder_request_targets must not be empty")
        now = self.plumbing.timestamp()
        resolved_targets = [self._request_target(index, item) for index, item in enumerate(targets)]
        responders = self.incident_responders.setdefault(incident["id"], {})
        request = {
            "id": self.plumbing.new_id(),
            "incident": reference(incident),
            "requester": reference(requester),
            "requested_at": now,
            "message": message,
            "responder_request_targets": [],
        }
        for kind, target, users, policies in resolved_targets:
            entries = [self._requested(responders, incident, user, requester, message, now, policies)
                       for user in users]
            for entry in entries:
                self._announce("incident.responder.added", incident, reference(requester), entry, target, kind)
            request["responder_request_targets"].append({"responder_request_target": {
                "type": kind, "id": target["id"], "summary": target["summary"],
                "incidents_responders": entries}})
        self.responder_requests.setdefault(incident["id"], []).append(request)
        self.incidents.log(incident, "notify_log_entry", reference(requester),
                           "Requested additional responders: %s"
                           % ", ".join(item[1]["summary"] for item in resolved_targets))
        incident["updated_at"] = now
        return request

    def _request_target(self, index, item):
        """(kind, target, users requested, policy names) for one of ``responder_request_targets``."""
        target = (item or {}).get("responder_request_target") if isinstance(item, dict) else None
        if not isinstance(target, dict) or not target.get("id"):
            raise InvalidInput("responder_request_targets[%d].responder_request_target with an id is required"
                               % index)
        kind = target.get("type")
        if kind in ("user_reference", "user"):
            user = self.directory.users.find(target["id"])
            if user is None:
                raise NotFound("User %s not found" % target["id"])
            return "user", user, [user], []
        if kind in ("escalation_policy_reference", "escalation_policy"):
            policy = self.services.escalation_policies.find(target["id"])
            if policy is None:
                raise NotFound("Escalation Policy %s not found" % target["id"])
            return "escalation_policy", policy, self.services.on_call_at(policy, 1), [policy["name"]]
        raise InvalidInput("responder_request_targets[%d] type must be user_reference or "
                           "escalation_policy_reference" % index)

    def _requested(self, responders, incident, user, requester, message, now, policies):
        """The user's ``incidents_responders`` entry: pending again unless already pending or joined."""
        entry = responders.get(user["id"])
        if entry is None or entry["state"] in ("declined", "user_cancelled"):
            entry = {"state": "pending", "user": reference(user), "incident": reference(incident),
                     "updated_at": now, "message": message, "requester": reference(requester),
                     "requested_at": now, "escalation_policy_requests": []}
            responders[user["id"]] = entry
        entry["escalation_policy_requests"] = sorted(set(entry["escalation_policy_requests"]) | set(policies))
        return entry

    def set_responder_state(self, incident_id, user_id, state):
        """Test control: a responder accepts (joined) or declines a request."""
        if state not in RESPONDER_STATES:
            raise InvalidInput("state must be one of %s" % ", ".join(RESPONDER_STATES))
        incident = self.incidents.incident(incident_id)
        entry = self.incident_responders.get(incident["id"], {}).get(user_id)
        if entry is None:
            raise NotFound("User %s was not requested on incident %s" % (user_id, incident["id"]))
        entry["state"] = state
        entry["updated_at"] = self.plumbing.timestamp()
        self._announce("incident.responder.replied", incident, entry["user"], entry, None, "user")
        return entry

    def _announce(self, event_type, incident, agent, entry, target, kind):
        """A responder webhook: ``data`` of ``type: incident_responder`` (docs/webhooks/01-Overview.md)."""
        policy = reference(target) if kind == "escalation_policy" else None
        self.incidents.publish(event_type, incident, agent, {
            "incident": reference(incident), "user": entry["user"], "escalation_policy": policy,
            "message": entry["message"], "state": entry["state"], "type": "incident_responder"})

    def render_responders(self, incident, out):
        if "coordinated_responding" not in self.abilities:
            return
        out["incidents_responders"] = [dict(e) for e in self.incident_responders.get(incident["id"], {}).values()]
        out["responder_requests"] = [dict(r) for r in self.responder_requests.get(incident["id"], [])]

    # -- incident workflows ------------------------------------------------------------
    def start_workflow(self, workflow_id, incident_ref):
        if "incident_workflows" not in self.abilities:
            raise PaymentRequired("The account does not have the incident_workflows ability")
        workflow = self.services.incident_workflows.get(workflow_id)
        if not workflow.get("is_enabled", True):
            raise ArgumentsCausedError("Incident workflow %s is disabled" % workflow["id"])
        if not isinstance(incident_ref, dict) or not incident_ref.get("id"):
            raise InvalidInput("incident_workflow_instance.incident.id is required")
        incident = self.incidents.incident(incident_ref["id"])
        instance = {
            "id": self.plumbing.new_id(),
            "type": "incident_workflow_instance",
            "summary": workflow["name"],
            "incident": reference(incident),
            "_workflow_id": workflow["id"],
            "_started_at": self.plumbing.timestamp(),
        }
        self.workflow_instances.add(instance)
        return instance

    def render_workflow_instance(self, instance):
        return {k: v for k, v in instance.items() if not k.startswith("_") and k != "summary"}

    # -- status updates ------------------------------------------------------------------
    def post_status_update(self, sender, incident_id, message, subject=None, html_message=None):
        if "status_updates" not in self.abilities:
            raise PaymentRequired("The account does not have the status_updates ability")
        incident = self.incidents.incident(incident_id)
        if not (message or "").strip():
            raise ArgumentsCausedError("Message can't be blank")
        if bool(subject) != bool(html_message):
            raise ArgumentsCausedError("subject and html_message must be given together for a custom HTML email")
        update = {"id": self.plumbing.new_id(), "message": message, "sender": reference(sender),
                  "created_at": self.plumbing.timestamp()}
        if subject:
            update.update(subject=subject, html_message=html_message)
        self.status_updates.setdefault(incident["id"], []).append(update)
        self.incidents.publish("incident.status_update_published", incident, reference(sender), {
            "incident": reference(incident), "id": update["id"], "message": message, "trimmed": False,
            "type": "incident_status_update"})
        return update
