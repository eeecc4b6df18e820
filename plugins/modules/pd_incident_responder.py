#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_incident_responder
short_description: Request additional responders (users or escalation policies) on a PagerDuty incident
version_added: 1.0.0
description:
  - Sends a responder request, as Rundeck's PagerDuty I(Add Additional Responders) step does.
  - Reads the incident first and leaves out every target already requested or already responding, so re-running a
    playbook does not page people again. A user who declined or cancelled can be requested again.
  - After a lost answer the module re-reads the incident to see whether the request landed, instead of resending it.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - Shows the targets that are (or would be) requested.
  idempotent:
    support: full
options:
  incident_id:
    description:
      - The ID or number of the incident.
    type: str
    required: true
    aliases: [id, incident_number]
  requester:
    description:
      - The user (ID or email) who asks for help. Defaults to the user of O(from_email).
    type: str
  msg:
    description:
      - The message sent to the requested responders (Rundeck's I(message)).
      - Defaults to C(Please help with incident [#number] title).
      - Named C(msg) because Ansible reserves C(message) for itself; ansible-test refuses it as an option name and
        as an alias.
    type: str
  users:
    description:
      - Users to request, as IDs, email addresses or exact names; a list or a comma-separated string.
    type: list
    elements: str
  escalation_policies:
    description:
      - Escalation policies to request, as IDs or exact names; a list or a comma-separated string. PagerDuty pages
        whoever is on call at their first level.
    type: list
    elements: str
notes:
  - Needs the account's responder requests feature (PagerDuty answers 402 otherwise).
  - Each email or name costs one lookup request; IDs cost none. A name that matches no user, or several, fails
    and lists what was found.
seealso:
  - module: oncall.pagerduty.pd_incident
  - module: oncall.pagerduty.pd_incident_workflow
"""

EXAMPLES = r"""
- name: Ask the database team and Grace to join (Rundeck "Add Additional Responders")
  oncall.pagerduty.pd_incident_responder:
    incident_id: "{{ pd_incident_id }}"
    requester: admin@example.com
    msg: Checkout DB is saturated - please join the bridge.
    users: grace@example.com
    escalation_policies: Platform On-Call

- name: Rundeck-style comma-separated lists
  oncall.pagerduty.pd_incident_responder:
    incident_id: PT4KHLK
    users: PGRACE1,linus@example.com,Margaret Oncall
"""

RETURN = r"""
responder_request:
  description: The responder request as PagerDuty returns it.
  returned: when a request was sent
  type: dict
  sample: {"message": "Please join", "requester": {"id": "PADMIN1", "type": "user_reference"},
           "responder_request_targets": [{"responder_request_target": {"id": "PGRACE1", "type": "user"}}]}
requested:
  description: The targets requested (or that would be, in check mode), as C(type:id).
  returned: success
  type: list
  elements: str
  sample: ["user:PGRACE1", "escalation_policy:PEPPLT1"]
already_requested:
  description: The targets left out because they were already requested or responding, as C(type:id).
  returned: success
  type: list
  elements: str
  sample: ["user:PLINUS1"]
"""


from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import (
    create_responder_request, get_incident)
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.incidents import require_open
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule, as_list

ACTIVE = ("pending", "joined")


def already_requested(incident):
    """``(type, id)`` of the targets already requested or responding on ``incident``."""
    taken = set()
    for responder in incident.get("incidents_responders") or []:
        if responder.get("state") in ACTIVE and responder.get("user"):
            taken.add(("user", responder["user"]["id"]))
    for request in incident.get("responder_requests") or []:
        for item in request.get("responder_request_targets") or []:
            target = item.get("responder_request_target") or item
            if (target.get("type") or "").startswith("escalation_policy"):
                responders = target.get("incidents_responders") or []
                if not responders or any(r.get("state") in ACTIVE for r in responders):
                    taken.add(("escalation_policy", target.get("id")))
    return taken


def shown(targets):
    """Targets as the module returns them: ``user:PXPGF42``, ``escalation_policy:PT4KHLK``."""
    return ["%s:%s" % target for target in targets]


def requested_targets(request):
    """``(type, id)`` of the targets of one responder request, as PagerDuty shows them."""
    found = set()
    for item in request.get("responder_request_targets") or []:
        target = item.get("responder_request_target") or {}
        found.add(((target.get("type") or "").replace("_reference", ""), target.get("id")))
    return found


def request_responders(client, incident_id, requester, message, wanted):
    """Send the request; after a lost answer the incident is re-read and it is resent only if it did not land."""
    def confirm():
        current = get_incident(client, incident_id)
        for request in reversed(current.get("responder_requests") or []):
            if set(wanted) <= requested_targets(request) and request.get("message") == message:
                return {"responder_request": request}
        return None
    return create_responder_request(client, incident_id, requester, message, wanted, confirm=confirm)


def wanted_targets(module):
    """``(type, id)`` of each user and escalation policy the task names, once each, in the order given."""
    p = module.params
    resolver = module.resolver
    targets = [("user", resolver.user_id_or_name(u, "users")) for u in as_list(p["users"]) or []]
    targets += [("escalation_policy", resolver.escalation_policy_id(e, "escalation_policies"))
                for e in as_list(p["escalation_policies"]) or []]
    return list(dict.fromkeys(targets))


def run(module):
    p = module.params
    if not as_list(p["users"]) and not as_list(p["escalation_policies"]):
        raise PagerDutyInputError("give users or escalation_policies (or both) to request")
    module.require("api_token")
    if not p["requester"] and not p["from_email"]:
        raise PagerDutyInputError("requester is required (a user ID or email), or set from_email / "
                                  "PAGERDUTY_FROM_EMAIL")
    requester = module.resolver.user_id(p["requester"] or p["from_email"], "requester")
    targets = wanted_targets(module)
    incident = get_incident(module.client, p["incident_id"])
    taken = already_requested(incident)
    wanted = [t for t in targets if t not in taken]
    result = dict(requested=shown(wanted), already_requested=shown(t for t in targets if t in taken))
    if not wanted:
        return dict(result, changed=False)
    require_open(incident, "a responder request")
    module.changes.add("responders", sorted(shown(taken)), sorted(shown(taken | set(wanted))))
    if module.check_mode:
        return result
    message = p["msg"] or "Please help with incident [#%s] %s" % (incident.get("incident_number"),
                                                                  incident.get("title"))
    sent = request_responders(module.client, incident["id"], requester, message, wanted)
    return dict(result, responder_request=sent)


ARGUMENT_SPEC = dict(
    incident_id=dict(type="str", required=True, aliases=["id", "incident_number"]),
    requester=dict(type="str"),
    msg=dict(type="str"),
    users=dict(type="list", elements="str"),
    escalation_policies=dict(type="list", elements="str"),
)


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC).run(run)


if __name__ == "__main__":
    main()
