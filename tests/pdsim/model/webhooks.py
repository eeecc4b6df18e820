"""V3 webhook subscriptions and the webhooks PagerDuty sends them when incidents change.

PagerDuty's documentation (PagerDuty/developer-docs @ 94224391, the snapshot ../shared/pagerduty-api/SOURCE.md cites):
``docs/webhooks/01-Overview.md`` (subscriptions, the payload envelope, event types and their data),
``docs/webhooks/04-Signatures.md`` (the signature) and ``docs/webhooks/02-Behavior.md`` (retries, disablement,
at-least-once delivery, ordering).  The model builds each webhook (its body, headers and signature); sending it is
the HTTP layer's job (:mod:`pdsim.deliveries`), given to this area as ``dispatch``.
"""

import hashlib
import hmac
import json
import re

from ..errors import InvalidInput, NotFound
from .core import Store

# docs/webhooks/01-Overview.md, "Event Types": the outbound event types a subscription may ask for.
EVENT_TYPES = (
    "incident.acknowledged", "incident.annotated", "incident.conference_bridge.updated",
    "incident.custom_field_values.updated", "incident.delegated", "incident.escalated",
    "incident.incident_type.changed", "incident.priority_updated", "incident.reassigned", "incident.reopened",
    "incident.resolved", "incident.responder.added", "incident.responder.replied", "incident.role.assigned",
    "incident.service_updated", "incident.status_update_published", "incident.task.completed",
    "incident.task.created", "incident.task.updated", "incident.triggered", "incident.unacknowledged",
    "incident.action_invocation.created", "incident.action_invocation.terminated",
    "incident.action_invocation.updated", "incident.workflow.started", "incident.workflow.completed",
    "service.created", "service.deleted", "service.updated",
)
FILTER_TYPES = ("account_reference", "service_reference", "team_reference")
REDACTED = "-- redacted --"         # custom header values in answers (the document's examples)
USER_AGENT = "PagerDuty-Webhook/V3.0"
# docs/webhooks/02-Behavior.md, "Temporary Disablement": after 3 consecutive dropped webhooks.
DISABLE_AFTER_DROPS = 3
SECRET_PREFIX = "pdsim-whsec-"      # so that the tests' secret scan recognises the secrets the simulator makes
_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")


def signature(secret, body):
    """docs/webhooks/04-Signatures.md: ``v1=`` and the hex HMAC-SHA256 of the raw body with the secret."""
    return "v1=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class Webhooks(object):
    """Webhook subscriptions, and a webhook to each matching subscription when an incident changes.

    Depends on the plumbing, the :class:`~pdsim.model.directory.Directory` (team filters),
    :class:`~pdsim.model.services.Services` (service filters) and :class:`~pdsim.model.incidents.Incidents`, which
    tells it of each change (it registers with :meth:`Incidents.add_listener`).  ``dispatch(delivery_id, url,
    headers, body)`` sends a webhook; until the HTTP layer sets it, webhooks are only recorded.
    """

    def __init__(self, plumbing, directory, services, incidents, dispatch=None):
        self.plumbing = plumbing
        self.directory = directory
        self.services = services
        self.incidents = incidents
        self.dispatch = dispatch
        self.subscriptions = Store("webhook_subscription", "Webhook Subscription")
        self.deliveries = []            # every webhook built, in order (GET /_sim/webhooks)
        self._secrets = {}              # subscription id -> signing secret (never rendered after creation)
        self._drops = {}                # subscription id -> consecutive dropped webhooks
        incidents.add_listener(self.incident_changed)

    # -- subscriptions ---------------------------------------------------------------------
    def create(self, fields):
        if not isinstance(fields, dict):
            raise InvalidInput("webhook_subscription is required")
        method = fields.get("delivery_method")
        if not isinstance(method, dict) or method.get("type") != "http_delivery_method":
            raise InvalidInput("delivery_method.type must be http_delivery_method")
        url = method.get("url")
        if not isinstance(url, str) or not _URL.match(url):
            raise InvalidInput("delivery_method.url must be an http or https URL")
        subscription = {
            "id": self.plumbing.new_id(), "type": "webhook_subscription",
            "active": fields.get("active", True) is not False,
            "delivery_method": {"id": self.plumbing.new_id(), "type": "http_delivery_method", "url": url,
                                "temporarily_disabled": False,
                                "custom_headers": self._custom_headers(method.get("custom_headers"))},
            "description": fields.get("description") or "",
            "events": self._events(fields.get("events")),
            "filter": self._filter(fields.get("filter")),
        }
        self.subscriptions.add(subscription)
        # docs/webhooks/04-Signatures.md: "When a webhook subscription is created, a strong unique secret is
        # generated and provided in the response."
        self._secrets[subscription["id"]] = SECRET_PREFIX + self.plumbing.random_hex() + self.plumbing.random_hex()
        return subscription

    def update(self, subscription_id, fields):
        subscription = self.subscriptions.get(subscription_id)
        if not isinstance(fields, dict):
            raise InvalidInput("webhook_subscription is required")
        # PUT /webhook_subscriptions/{id}: "This operation does not support updating the delivery_method".
        if "delivery_method" in fields:
            raise InvalidInput("delivery_method cannot be updated")
        if "events" in fields:
            subscription["events"] = self._events(fields["events"])
        if "filter" in fields:
            subscription["filter"] = self._filter(fields["filter"])
        if "description" in fields:
            subscription["description"] = fields["description"] or ""
        if "active" in fields:
            subscription["active"] = fields["active"] is not False
        return subscription

    def delete(self, subscription_id):
        self.subscriptions.get(subscription_id)
        self.subscriptions.delete(subscription_id)
        self._secrets.pop(subscription_id, None)

    def enable(self, subscription_id):
        """POST .../enable: "Enable a webhook subscription that is temporarily disabled"."""
        subscription = self.subscriptions.get(subscription_id)
        subscription["delivery_method"]["temporarily_disabled"] = False
        self._drops[subscription_id] = 0
        return subscription

    def listing(self, filter_type=None, filter_id=None):
        """GET /webhook_subscriptions: "filter_id ... Required if filter_type is service or team"."""
        if filter_type in ("service", "team") and not filter_id:
            raise InvalidInput("filter_id is required when filter_type is %s" % filter_type)
        found = self.subscriptions.values()
        if filter_type:
            found = [s for s in found if s["filter"]["type"] == filter_type + "_reference"]
        if filter_id:
            found = [s for s in found if s["filter"].get("id") == filter_id]
        return found

    def render(self, subscription, with_secret=False):
        """A subscription as PagerDuty answers: the secret only on creation, custom header values redacted."""
        out = json.loads(json.dumps(subscription))
        method = out["delivery_method"]
        # The document: "secret ... Only provided on the initial create response"; custom headers: "The header
        # values are redacted in GET requests".
        method["secret"] = self._secrets.get(subscription["id"]) if with_secret else None
        method["custom_headers"] = [{"name": h["name"], "value": REDACTED} for h in method["custom_headers"]]
        return out

    def _events(self, events):
        # The document: events has "minItems": 1, "uniqueItems": true.
        if not isinstance(events, list) or not events:
            raise InvalidInput("events must list at least one event type")
        unknown = [e for e in events if e not in EVENT_TYPES]
        if unknown:
            raise InvalidInput("events: unknown event type(s) %s" % ", ".join(map(str, unknown)))
        if len(set(events)) != len(events):
            raise InvalidInput("events must not repeat an event type")
        return list(events)

    def _filter(self, spec):
        if not isinstance(spec, dict) or spec.get("type") not in FILTER_TYPES:
            raise InvalidInput("filter.type must be one of %s" % ", ".join(FILTER_TYPES))
        if spec["type"] == "account_reference":
            return {"type": "account_reference"}
        # The document: filter.id "is required for all filter types except account_reference".
        store = self.services.services if spec["type"] == "service_reference" else self.directory.teams
        if not spec.get("id"):
            raise InvalidInput("filter.id is required for a %s filter" % spec["type"])
        if spec["id"] not in store:
            raise NotFound("%s %s not found" % (store.label, spec["id"]))
        return {"type": spec["type"], "id": spec["id"]}

    @staticmethod
    def _custom_headers(headers):
        headers = headers or []
        if not isinstance(headers, list) or not all(isinstance(h, dict) and isinstance(h.get("name"), str)
                                                    and h["name"] and isinstance(h.get("value"), str)
                                                    for h in headers):
            raise InvalidInput("delivery_method.custom_headers must be a list of {name, value}")
        names = [h["name"].lower() for h in headers]
        # docs/webhooks/01-Overview.md, "Custom Headers": "All header names must be unique within a webhook
        # subscription."
        if len(set(names)) != len(names):
            raise InvalidInput("delivery_method.custom_headers: header names must be unique")
        return [{"name": h["name"], "value": h["value"]} for h in headers]

    # -- webhooks ---------------------------------------------------------------------------
    def incident_changed(self, event_type, incident, agent, data=None):
        """What :class:`Incidents` tells its listeners: one webhook to each matching subscription, each of them
        carrying the same event.

        docs/webhooks/01-Overview.md: "Outbound events are created when PagerDuty resources change", and a webhook
        payload "contains a single event object"; ``event.id`` is "the unique id of the event". So one change makes
        one event (one ``event.id``, ``occurred_at`` and body) and each subscription gets a webhook of its own that
        carries it (its own ``X-Webhook-Id``, "unique to the webhook", docs/webhooks/02-Behavior.md, and signature).
        """
        team_ids = set(self.incidents.incident_team_ids(incident))
        matching = [subscription for subscription in self.subscriptions.values()
                    if event_type in subscription["events"] and self._matches(subscription, incident, team_ids)]
        if not matching:
            return
        event = self._event(event_type, "incident", agent, data if data is not None else self.incident_data(incident))
        for subscription in matching:
            self._send(subscription, event)

    def ping(self, subscription_id):
        """POST .../ping: "this will deliver the pagey.ping webhook event to the destination"."""
        subscription = self.subscriptions.get(subscription_id)
        self._send(subscription, self._event("pagey.ping", "pagey", None,
                                             {"message": "Hello from your friend Pagey!", "type": "ping"}))

    @staticmethod
    def _matches(subscription, incident, team_ids):
        """docs/webhooks/01-Overview.md, "Filter": only incidents associated with the filter object."""
        if not subscription["active"] or subscription["delivery_method"]["temporarily_disabled"]:
            return False
        spec = subscription["filter"]
        if spec["type"] == "service_reference":
            return spec["id"] == incident["_service_id"]
        if spec["type"] == "team_reference":
            return spec["id"] in team_ids
        return True

    def incident_data(self, incident):
        """``event.data`` of ``type: incident`` (docs/webhooks/01-Overview.md, "Event Data Types")."""
        rendered = self.incidents.render_incident(incident)
        return {
            "id": incident["id"], "type": "incident", "self": rendered["self"], "html_url": rendered["html_url"],
            "number": incident["incident_number"], "status": incident["status"],
            "incident_key": incident.get("incident_key"), "created_at": incident["created_at"],
            "title": incident["title"], "service": rendered["service"],
            "assignees": [a["assignee"] for a in rendered["assignments"]],
            "escalation_policy": rendered.get("escalation_policy"), "teams": rendered["teams"],
            "priority": reference_or_none(rendered.get("priority")), "urgency": incident["urgency"],
            "conference_bridge": None, "resolve_reason": None,
            "incident_type": {"name": incident.get("incident_type", {}).get("name", "incident_default")},
        }

    def _event(self, event_type, resource_type, agent, data):
        """The payload of the webhooks of one event (docs/webhooks/01-Overview.md, "Webhook Payload")."""
        return {"event": {"id": self.plumbing.random_hex(), "event_type": event_type,
                          "resource_type": resource_type, "occurred_at": self.plumbing.timestamp(),
                          "agent": agent, "client": None, "data": data}}

    def _send(self, subscription, event):
        """One webhook of ``event`` to ``subscription``: its own id, headers and signature; the event's body."""
        event_type, data = event["event"]["event_type"], event["event"]["data"]
        body = json.dumps(event, separators=(",", ":")).encode("utf-8")
        webhook_id = self.plumbing.random_hex()
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-Webhook-Id": webhook_id,
                   "X-Webhook-Subscription": subscription["id"],
                   "X-PagerDuty-Signature": signature(self._secrets[subscription["id"]], body)}
        for header in subscription["delivery_method"]["custom_headers"]:
            headers[header["name"]] = header["value"]
        incident_id = data["id"] if data.get("type") == "incident" else (data.get("incident") or {}).get("id")
        delivery = {"id": webhook_id, "subscription_id": subscription["id"], "event_id": event["event"]["id"],
                    "event_type": event_type, "incident_id": incident_id, "url": subscription["delivery_method"]["url"],
                    "status": "pending", "attempts": [], "payload": event}
        self.deliveries.append(delivery)
        if self.dispatch is not None:
            self.dispatch(webhook_id, delivery["url"], headers, body)
        return delivery

    # -- what the HTTP layer reports --------------------------------------------------------
    def attempted(self, webhook_id, outcome, final):
        """Record one delivery attempt: ``outcome`` is a status code or an error; ``final`` is "delivered",
        "dropped" or None (to be retried)."""
        delivery = next((d for d in self.deliveries if d["id"] == webhook_id), None)
        if delivery is None:
            return
        delivery["attempts"].append({"at": self.plumbing.timestamp(), "outcome": outcome})
        if final is None:
            return
        delivery["status"] = final
        subscription = self.subscriptions.find(delivery["subscription_id"])
        if subscription is None:
            return
        drops = self._drops.get(subscription["id"], 0) + 1 if final == "dropped" else 0
        self._drops[subscription["id"]] = drops
        if drops >= DISABLE_AFTER_DROPS:
            subscription["delivery_method"]["temporarily_disabled"] = True


def reference_or_none(item):
    """A priority as a reference (the webhook's shape), or None."""
    if not item:
        return None
    return {"id": item["id"], "type": "priority_reference", "summary": item.get("summary") or item.get("name"),
            "self": item.get("self")}


def secret_of(webhooks, subscription_id):
    """The signing secret (for the model's own tests only; never rendered after creation)."""
    return webhooks._secrets[subscription_id]  # pylint: disable=protected-access
