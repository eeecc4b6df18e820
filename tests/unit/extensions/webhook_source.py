"""Loads the oncall.pagerduty.webhook event source as ansible-rulebook does (a file of its own, not a package)."""

import copy
import importlib.util
import json
import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PATH = os.path.join(REPO, "extensions", "eda", "plugins", "event_source", "webhook.py")
# Secrets of the tests (the secret scan of tests/integration/pd_harness.py knows them too).
SECRET = "pdsim-webhook-secret-unit-0001"
OTHER_SECRET = "pdsim-webhook-secret-unit-0002"


def load():
    spec = importlib.util.spec_from_file_location("oncall_pagerduty_webhook_source", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# PagerDuty's example of a V3 webhook (docs/webhooks/01-Overview.md, "Webhook Payload"), as an incident.triggered.
TRIGGERED = {"event": {
    "id": "5ac64822-4adc-4fda-ade0-410becf0de4f",
    "event_type": "incident.triggered",
    "resource_type": "incident",
    "occurred_at": "2020-10-02T18:45:22.169Z",
    "agent": {"html_url": "https://acme.pagerduty.com/users/PLH1HKV", "id": "PLH1HKV",
              "self": "https://api.pagerduty.com/users/PLH1HKV", "summary": "Tenex Engineer", "type": "user_reference"},
    "client": {"name": "PagerDuty"},
    "data": {
        "id": "PGR0VU2", "type": "incident", "self": "https://api.pagerduty.com/incidents/PGR0VU2",
        "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2", "number": 2, "status": "triggered",
        "incident_key": "d3640fbd41094207a1c11e58e46b1662", "created_at": "2020-04-09T15:16:27Z",
        "title": "A little bump in the road",
        "service": {"id": "PF9KMXH", "summary": "API Service", "type": "service_reference"},
        "assignees": [{"id": "PTUXL6G", "summary": "User 123", "type": "user_reference"}],
        "escalation_policy": {"id": "PUS0KTE", "summary": "Default", "type": "escalation_policy_reference"},
        "teams": [{"id": "PFCVPS0", "summary": "Engineering", "type": "team_reference"}],
        "priority": {"id": "PSO75BM", "summary": "P1", "type": "priority_reference"},
        "urgency": "high", "resolve_reason": None,
    },
}}


def delivery(event_id="5ac64822-4adc-4fda-ade0-410becf0de4f", event_type="incident.triggered"):
    """A V3 body (bytes) with this event id and type."""
    body = copy.deepcopy(TRIGGERED)
    body["event"]["id"] = event_id
    body["event"]["event_type"] = event_type
    return json.dumps(body).encode("utf-8")
