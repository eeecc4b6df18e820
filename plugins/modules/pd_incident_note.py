#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_incident_note
short_description: Add a note to a PagerDuty incident, once
version_added: 1.0.0
description:
  - Adds a note to an incident, as Rundeck's PagerDuty I(Incident Note) step does.
  - Reads the incident's notes first and adds nothing when a note with exactly the same content is already there,
    so re-running a playbook does not repeat its notes. Set O(allow_duplicate=true) to add it anyway.
  - A note is never sent twice because of a retry; after a lost answer the module re-reads the notes to see whether
    it landed.
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
      - Shows the note that is (or would be) added.
  idempotent:
    support: full
    details:
      - Unless O(allow_duplicate=true).
options:
  incident_id:
    description:
      - The ID or number of the incident.
    type: str
    required: true
    aliases: [id, incident_number]
  note:
    description:
      - The note's text, at most 25000 characters.
    type: str
    required: true
    aliases: [content]
  allow_duplicate:
    description:
      - Add the note even when the incident already has a note with exactly this content.
    type: bool
    default: false
notes:
  - Needs O(from_email) (or E(PAGERDUTY_FROM_EMAIL)); PagerDuty shows that user as the note's author.
  - PagerDuty allows at most 2000 notes on an incident.
seealso:
  - module: oncall.pagerduty.pd_incident
  - module: oncall.pagerduty.pd_incident_info
"""

EXAMPLES = r"""
- name: Add a note (Rundeck "Incident Note")
  oncall.pagerduty.pd_incident_note:
    incident_id: "{{ pd_incident_id }}"
    note: "Rolled back checkout-api to 1.4.1 at {{ now(utc=true).isoformat() }}"

- name: Post diagnostics, trimmed to PagerDuty's limit
  oncall.pagerduty.pd_incident_note:
    incident_id: PT4KHLK
    note: "{{ diagnostics.stdout | truncate(25000, true, '') }}"

- name: Post the same reminder every run
  oncall.pagerduty.pd_incident_note:
    incident_id: PT4KHLK
    note: Still investigating.
    allow_duplicate: true
"""

RETURN = r"""
note:
  description: The note as PagerDuty returns it (the existing one when nothing was added).
  returned: success, except in check mode when the note would be added
  type: dict
  sample: {"id": "PWL7QXS", "content": "Rolled back to 1.4.1", "created_at": "2026-11-23T08:42:58Z",
           "user": {"id": "PADMIN1", "type": "user_reference", "summary": "Ada Admin"}}
incident_id:
  description: The ID of the incident.
  returned: success
  type: str
  sample: PT4KHLK
"""


from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import get_incident, list_notes
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError, PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.incidents import (
    NOTE_MAX_LENGTH, NOTES_PER_INCIDENT, add_note)
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule


def note_problem(content):
    """Why PagerDuty would refuse this note, or None."""
    if not content.strip():
        return "note must not be empty"
    if len(content) > NOTE_MAX_LENGTH:
        return ("note is %d characters; PagerDuty accepts at most %d (trim it, for example with truncate(%d))"
                % (len(content), NOTE_MAX_LENGTH, NOTE_MAX_LENGTH))
    return None


def run(module):
    p = module.params
    content = p["note"]
    problem = note_problem(content)
    if problem:
        raise PagerDutyInputError(problem)
    module.require("api_token")
    client = module.client
    incident_id = p["incident_id"]
    if incident_id.isdigit():  # an incident number; notes are addressed by ID
        incident_id = get_incident(client, incident_id)["id"]
    notes = list_notes(client, incident_id)
    same = [n for n in notes if n.get("content") == content]
    if same and not p["allow_duplicate"]:
        return dict(changed=False, note=same[-1], incident_id=incident_id)
    if len(notes) >= NOTES_PER_INCIDENT:
        raise PagerDutyError("incident %s already has %d notes, PagerDuty's limit" % (incident_id, len(notes)))
    module.changes.add("note", None, content)
    if module.check_mode:
        return dict(incident_id=incident_id)
    return dict(note=add_note(client, incident_id, content, notes), incident_id=incident_id)


ARGUMENT_SPEC = dict(
    incident_id=dict(type="str", required=True, aliases=["id", "incident_number"]),
    note=dict(type="str", required=True, aliases=["content"]),
    allow_duplicate=dict(type="bool", default=False),
)


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC).run(run)


if __name__ == "__main__":
    main()
