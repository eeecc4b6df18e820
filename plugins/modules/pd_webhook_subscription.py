#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_webhook_subscription
short_description: Create, update or delete a PagerDuty V3 webhook subscription
version_added: 1.1.0
description:
  - Makes a V3 generic webhook subscription exist with the given event types, description and state, or makes it not
    exist. PagerDuty then sends a signed webhook to O(url) for each event of those types about the incidents of the
    account, a service or a team; the event source C(oncall.pagerduty.webhook) of this collection receives them
    for ansible-rulebook (Event-Driven Ansible).
  - A subscription is identified by its delivery URL and its filter (O(filter_type) and O(filter)); a second
    subscription with the same URL and filter is never created.
  - PagerDuty makes a signing secret when it creates a subscription and shows it only in its answer to that request.
    The module hands it over only when asked, written to O(secret_file) (mode 0600), and/or returned as RV(secret)
    with O(return_secret=true). It is never logged or shown otherwise.
  - PagerDuty cannot change a subscription's delivery URL or custom headers once it is created. When O(custom_headers)
    names other headers than the subscription has, the module fails and says so; delete the subscription
    (O(state=absent)) and create it again, which makes a new secret.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the subscriptions and reports what would change; writes nothing, not even O(secret_file).
  diff_mode:
    support: full
    details:
      - Shows the event types, description and active state that change, before and after (never header values).
  idempotent:
    support: full
    details:
      - A second identical run reads the subscriptions and writes nothing.
      - Custom header values cannot be compared (PagerDuty shows them redacted), only their names.
options:
  state:
    description:
      - V(present) creates the subscription or updates what differs; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  url:
    description:
      - The delivery URL, where PagerDuty POSTs the webhooks, for example C(https://eda.example.com:5000/pagerduty).
      - Must be C(http://) or C(https://). PagerDuty verifies the server certificate of an C(https) URL.
    type: str
    required: true
    aliases: [delivery_url]
  filter_type:
    description:
      - Which incidents the subscription is about. V(account) is every incident of the account; V(service) those of
        the service O(filter); V(team) those of the team O(filter).
    type: str
    choices: [account, service, team]
    default: account
  filter:
    description:
      - The service or team, by ID or name. Required when O(filter_type) is V(service) or V(team).
    type: str
    aliases: [filter_id]
  events:
    description:
      - The event types to send, for example V(incident.triggered), V(incident.resolved) (see PagerDuty's list of
        V3 event types). Required to create a subscription.
      - The order does not matter; a subscription with the same set of event types is not changed.
    type: list
    elements: str
  description:
    description:
      - A short description of the subscription.
    type: str
  active:
    description:
      - Whether PagerDuty sends webhooks for the subscription. New subscriptions are active unless this is V(false).
    type: bool
  custom_headers:
    description:
      - Headers PagerDuty adds to each webhook, as a dictionary of names and values (for example a token that a proxy
        in front of the event source checks). Set only when the subscription is created.
      - The values are treated as secrets (never logged); PagerDuty shows them redacted.
    type: dict
  secret_file:
    description:
      - A file to write the subscription's signing secret to, with mode 0600, when the module creates the
        subscription. Its directory must exist. The file is not written in check mode, nor when the subscription
        already exists (PagerDuty shows the secret only once; the module then warns if the file does not exist).
    type: path
  return_secret:
    description:
      - "Return the signing secret as RV(secret) when the module creates the subscription. Register the result with
        C(no_log: true) on the task, or the secret is printed with the task's result."
      - When the subscription already exists, no secret is returned (PagerDuty shows it only once) and the module
        warns.
    type: bool
    default: false
notes:
  - The event source C(oncall.pagerduty.webhook) verifies the webhooks with the secret, and ignores redeliveries.
  - "PagerDuty's documentation: U(https://developer.pagerduty.com/docs/webhooks/v3-overview/)."
seealso:
  - name: Event-Driven Ansible with oncall.pagerduty
    description: The event source, an example rulebook and how to run it.
    link: https://github.com/oncall/pagerduty/blob/main/extensions/eda/README.md
"""

EXAMPLES = r"""
- name: Send triggered and resolved incidents of the Checkout API to Event-Driven Ansible
  oncall.pagerduty.pd_webhook_subscription:
    url: https://eda.example.com:5000/pagerduty
    filter_type: service
    filter: Checkout API
    events: [incident.triggered, incident.resolved]
    description: Remediation rulebook
    secret_file: /etc/eda/pagerduty-checkout.secret
  delegate_to: localhost

- name: Every incident of the Platform team, with a header the proxy checks; the secret kept in a variable
  oncall.pagerduty.pd_webhook_subscription:
    url: https://eda.example.com/pagerduty/platform
    filter_type: team
    filter: Platform
    events: [incident.triggered]
    custom_headers:
      X-Proxy-Token: "{{ vault_proxy_token }}"
    return_secret: true
  register: platform_webhook
  no_log: true
  delegate_to: localhost

- name: Pause a subscription
  oncall.pagerduty.pd_webhook_subscription:
    url: https://eda.example.com:5000/pagerduty
    filter_type: service
    filter: PSVCCHK
    active: false
  delegate_to: localhost

- name: Remove the account-wide subscription
  oncall.pagerduty.pd_webhook_subscription:
    url: https://old.example.com/hook
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
webhook_subscription:
  description:
    - The subscription as PagerDuty returns it after the change (in check mode, as it would be; one that would be
      created has no C(id)), without its secret; custom header values are redacted.
    - With O(state=absent), the subscription as it was before deletion, or V(null) when there was none.
  returned: success
  type: dict
  sample: {"id": "PY1OL64", "type": "webhook_subscription", "active": true, "description": "Remediation rulebook",
           "events": ["incident.triggered", "incident.resolved"], "filter": {"type": "service_reference",
           "id": "PSVCCHK"}, "delivery_method": {"id": "PF9KMXH", "type": "http_delivery_method",
           "url": "https://eda.example.com:5000/pagerduty", "temporarily_disabled": false, "custom_headers": []}}
secret:
  description: The signing secret, only when O(return_secret=true) and the module created the subscription.
  returned: when created with O(return_secret=true)
  type: str
secret_file:
  description: The path the secret was written to, only when it was written.
  returned: when the secret was written
  type: str
"""

import os
import re
import tempfile

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.webhooks import (
    create_webhook_subscription, delete_webhook_subscription, list_webhook_subscriptions,
    update_webhook_subscription)
from ansible_collections.oncall.pagerduty.plugins.module_utils.diff import ChangeTracker
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError, PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule

EVENT_TYPE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
URL = re.compile(r"^https?://[^\s/?#]+\S*$", re.IGNORECASE)
REDACTED = "-- redacted --"


def validate(params):
    """A one-line error for what PagerDuty would refuse, before any request; None when all is well."""
    if not URL.match(params["url"] or ""):
        return "url must be an http:// or https:// URL, got %r" % params["url"]
    if params["filter_type"] in ("service", "team") and not params["filter"]:
        return "filter is required when filter_type is %s (the %s's ID or name)" % (
            params["filter_type"], params["filter_type"])
    if params["filter_type"] == "account" and params["filter"]:
        return "filter must not be given when filter_type is account"
    events = params["events"]
    if events is not None:
        if not events:
            return "events must list at least one event type, such as incident.triggered"
        bad = [e for e in events if not EVENT_TYPE.match(e or "")]
        if bad:
            return "events must be event types such as incident.triggered; got %s" % ", ".join(map(repr, bad))
    headers = params["custom_headers"] or {}
    if any(not str(name).strip() for name in headers) or len(set(str(n).lower() for n in headers)) != len(headers):
        return "custom_headers must have distinct, non-empty header names"
    if params["secret_file"] and not os.path.isdir(os.path.dirname(os.path.abspath(params["secret_file"]))):
        return "secret_file: the directory of %s does not exist" % params["secret_file"]
    return None


def wanted_filter(params, resolver):
    """The subscription's ``filter`` object, with the service or team resolved to its ID."""
    kind = params["filter_type"]
    if kind == "account":
        return {"type": "account_reference"}
    if kind == "service":
        return {"type": "service_reference", "id": resolver.service_id(params["filter"], "filter")}
    return {"type": "team_reference", "id": resolver.team_ids([params["filter"]], "filter")[0]}


def same_filter(subscription, wanted):
    spec = subscription.get("filter") if isinstance(subscription.get("filter"), dict) else {}
    return spec.get("type") == wanted["type"] and (wanted["type"] == "account_reference"
                                                   or spec.get("id") == wanted.get("id"))


def url_of(subscription):
    method = subscription.get("delivery_method")
    return method.get("url") if isinstance(method, dict) else None


def find(client, url, wanted):
    """The subscription with this delivery URL and filter, or None; an error when PagerDuty has several."""
    kind = wanted["type"].replace("_reference", "")
    found = [s for s in list_webhook_subscriptions(client, kind, wanted.get("id"))
             if url_of(s) == url and same_filter(s, wanted)]
    if len(found) > 1:
        raise PagerDutyError("url: %d webhook subscriptions deliver to %s with this filter (%s); delete all but one"
                             % (len(found), url, ", ".join(str(s.get("id")) for s in found)))
    return found[0] if found else None


def header_names(subscription):
    method = subscription.get("delivery_method") if isinstance(subscription.get("delivery_method"), dict) else {}
    headers = method.get("custom_headers") if isinstance(method.get("custom_headers"), list) else []
    return sorted(str(h.get("name")).lower() for h in headers if isinstance(h, dict))


def plan_update(current, params):
    """``(fields to PUT, ChangeTracker)``: what differs from the subscription ``current``."""
    changes = ChangeTracker()
    fields = {}
    if params["events"] is not None and sorted(set(params["events"])) != sorted(current.get("events") or []):
        fields["events"] = sorted(set(params["events"]))
        changes.add("events", sorted(current.get("events") or []), fields["events"])
    if params["description"] is not None and params["description"] != (current.get("description") or ""):
        fields["description"] = params["description"]
        changes.add("description", current.get("description") or "", params["description"])
    if params["active"] is not None and params["active"] != current.get("active", True):
        fields["active"] = params["active"]
        changes.add("active", current.get("active", True), params["active"])
    wanted = sorted(str(name).lower() for name in (params["custom_headers"] or {}))
    if params["custom_headers"] is not None and wanted != header_names(current):
        raise PagerDutyInputError(
            "custom_headers: the subscription %s has the headers [%s], not [%s], and PagerDuty cannot change them; "
            "delete it (state=absent) and create it again (which makes a new secret)" % (
                current.get("id"), ", ".join(header_names(current)), ", ".join(wanted)))
    return fields, changes


def new_subscription(params, wanted):
    """The body of ``POST /webhook_subscriptions``."""
    method = {"type": "http_delivery_method", "url": params["url"],
              "custom_headers": [{"name": str(name), "value": str(value)}
                                 for name, value in sorted((params["custom_headers"] or {}).items())]}
    body = {"delivery_method": method, "events": sorted(set(params["events"])), "filter": wanted,
            "description": params["description"] or ""}
    if params["active"] is not None:
        body["active"] = params["active"]
    return body


def shown(subscription):
    """The subscription as the module returns it: no secret, custom header values redacted."""
    out = dict(subscription)
    method = dict(out.get("delivery_method") or {})
    method.pop("secret", None)
    method["custom_headers"] = [{"name": h.get("name"), "value": REDACTED}
                                for h in method.get("custom_headers") or [] if isinstance(h, dict)]
    out["delivery_method"] = method
    return out


def write_secret(path, secret):
    """Write ``secret`` to ``path`` with mode 0600 (a new file, moved into place, never readable by others)."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".pd-webhook-", dir=directory)
    try:
        os.fchmod(handle, 0o600)
        os.write(handle, (secret + "\n").encode("utf-8"))
        os.close(handle)
        os.rename(temporary, path)
    except OSError:
        os.unlink(temporary)
        raise


def create(module, params, wanted):
    client = module.client
    body = new_subscription(params, wanted)

    def confirm():
        found = find(client, params["url"], wanted)
        return {"webhook_subscription": found} if found is not None else None
    created = create_webhook_subscription(client, body, confirm=confirm)
    method = created.get("delivery_method") if isinstance(created.get("delivery_method"), dict) else {}
    secret = method.get("secret")
    if not isinstance(secret, str) or not secret:
        raise PagerDutyError("the webhook subscription %s was created, but PagerDuty's answer with its signing secret "
                             "was lost; delete it (state=absent) and create it again" % created.get("id"))
    result = dict(webhook_subscription=shown(created))
    if params["secret_file"]:
        write_secret(params["secret_file"], secret)
        result["secret_file"] = params["secret_file"]
    if params["return_secret"]:
        result["secret"] = secret
    return result


def warn_secret_not_handed_over(module, params, current):
    """The subscription exists: its secret, which PagerDuty shows only in its answer to the creation, cannot be handed
    over. Warn when it was asked for (secret_file only when the file does not exist yet)."""
    why = "the webhook subscription %s exists, and PagerDuty shows its secret only when it is created" % (
        current.get("id"))
    if params["secret_file"] and not os.path.exists(params["secret_file"]):
        module.warn("secret_file %s was not written: %s" % (params["secret_file"], why))
    if params["return_secret"]:
        module.warn("return_secret: no secret is returned: %s (delete it, state=absent, and create it again for a new "
                    "secret)" % why)


def present(module, params, current, wanted):
    if current is None:
        if not params["events"]:
            raise PagerDutyInputError("events is required to create the webhook subscription for %s" % params["url"])
        module.changes.add("state", "absent", "present")
        if module.check_mode:
            return dict(webhook_subscription=shown(new_subscription(params, wanted)))
        return create(module, params, wanted)
    fields, changes = plan_update(current, params)
    warn_secret_not_handed_over(module, params, current)
    module.changes.extend(changes)
    if not fields:
        return dict(webhook_subscription=shown(current))
    if module.check_mode:
        return dict(webhook_subscription=shown(dict(current, **fields)))
    return dict(webhook_subscription=shown(update_webhook_subscription(module.client, current["id"], fields)))


def run(module):
    params = module.params
    problem = validate(params)
    if problem:
        raise PagerDutyInputError(problem)
    module.require("api_token")
    wanted = wanted_filter(params, module.resolver)
    current = find(module.client, params["url"], wanted)
    if params["state"] == "present":
        return present(module, params, current, wanted)
    if current is None:
        return dict(webhook_subscription=None)
    module.changes.add("state", "present", "absent")
    if not module.check_mode:
        delete_webhook_subscription(module.client, current["id"])
    return dict(webhook_subscription=shown(current))


ARGUMENT_SPEC = dict(
    state=dict(type="str", default="present", choices=["present", "absent"]),
    url=dict(type="str", required=True, aliases=["delivery_url"]),
    filter_type=dict(type="str", default="account", choices=["account", "service", "team"]),
    filter=dict(type="str", aliases=["filter_id"]),
    events=dict(type="list", elements="str"),
    description=dict(type="str"),
    active=dict(type="bool"),
    custom_headers=dict(type="dict", no_log=True),
    secret_file=dict(type="path", no_log=False),
    return_secret=dict(type="bool", default=False, no_log=False),
)


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC).run(run)


if __name__ == "__main__":
    main()
