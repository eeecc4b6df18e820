"""The webhooks area on its own (subscriptions, the webhooks incidents changes make), the deliveries thread against a
local receiver, and the answers' shapes against PagerDuty's document."""

import hashlib
import hmac
import http.server
import json
import threading

import pytest

from pdsim.deliveries import Deliverer, verdict
from pdsim.errors import InvalidInput, NotFound
from pdsim.model import Account, load_seed
from pdsim.model.webhooks import EVENT_TYPES, REDACTED, SECRET_PREFIX, secret_of
from test_responses import check

URL = "https://hooks.example.com/pagerduty"


def subscription(events=("incident.triggered",), filter=None, url=URL, **fields):
    body = {"type": "webhook_subscription", "events": list(events),
            "filter": filter or {"type": "service_reference", "id": "PSVCCHK"},
            "delivery_method": {"type": "http_delivery_method", "url": url}}
    body.update(fields)
    return body


@pytest.fixture
def account():
    sent = []
    account = Account(load_seed())
    account.webhooks.dispatch = lambda *webhook: sent.append(webhook)
    account.sent = sent
    return account


def trigger(account, service="PSVCCHK", title="Checkout failing"):
    admin = account.directory.users.get("PADMIN1")
    service_ref = {"id": service, "type": "service_reference"}
    return account.incidents.create_incident(admin, {"title": title, "service": service_ref})


# -- subscriptions -----------------------------------------------------------------------------------------------------
def test_a_subscription_shows_its_secret_once_and_redacts_custom_header_values(account):
    created = account.webhooks.create(subscription(delivery_method={
        "type": "http_delivery_method", "url": URL, "custom_headers": [{"name": "X-Token", "value": "hush"}]}))
    first = account.webhooks.render(created, with_secret=True)
    assert first["delivery_method"]["secret"].startswith(SECRET_PREFIX)
    assert first["delivery_method"]["custom_headers"] == [{"name": "X-Token", "value": REDACTED}]
    assert account.webhooks.render(created)["delivery_method"]["secret"] is None
    assert "hush" not in json.dumps(account.webhooks.render(created, with_secret=True))


@pytest.mark.parametrize("body, error", [
    (subscription(events=[]), "events must list at least one event type"),
    (subscription(events=["incident.exploded"]), "unknown event type"),
    (subscription(events=["incident.triggered", "incident.triggered"]), "must not repeat"),
    (subscription(filter={"type": "service_reference"}), "filter.id is required"),
    (subscription(filter={"type": "user_reference", "id": "PADMIN1"}), "filter.type must be one of"),
    (subscription(url="ftp://example.com/x"), "must be an http or https URL"),
    (subscription(delivery_method={"type": "http_delivery_method", "url": URL, "custom_headers": [
        {"name": "A", "value": "1"}, {"name": "a", "value": "2"}]}), "header names must be unique"),
])
def test_what_pagerduty_refuses_in_a_subscription(account, body, error):
    with pytest.raises(InvalidInput) as caught:
        account.webhooks.create(body)
    assert error in str(caught.value)


def test_filters_name_objects_that_exist(account):
    with pytest.raises(NotFound):
        account.webhooks.create(subscription(filter={"type": "team_reference", "id": "PNOTEAM"}))
    assert account.webhooks.create(subscription(filter={"type": "account_reference", "id": "x"}))["filter"] == {
        "type": "account_reference"}


def test_updates_change_what_is_given_but_never_the_delivery_method(account):
    created = account.webhooks.create(subscription())
    updated = account.webhooks.update(created["id"], {"events": ["incident.resolved"], "active": False,
                                                      "description": "d"})
    assert (updated["events"], updated["active"], updated["description"]) == (["incident.resolved"], False, "d")
    with pytest.raises(InvalidInput):
        account.webhooks.update(created["id"], {"delivery_method": {"url": URL + "/2"}})
    account.webhooks.delete(created["id"])
    with pytest.raises(NotFound):
        account.webhooks.update(created["id"], {"active": True})


def test_listing_by_filter(account):
    account.webhooks.create(subscription())
    account.webhooks.create(subscription(filter={"type": "team_reference", "id": "PTCHKOT"}))
    assert len(account.webhooks.listing()) == 2
    assert [s["filter"]["type"] for s in account.webhooks.listing("team", "PTCHKOT")] == ["team_reference"]
    with pytest.raises(InvalidInput):
        account.webhooks.listing("service")


# -- the webhooks incident changes make ------------------------------------------------------------------------------------
def sent_events(account):
    return [json.loads(body)["event"] for _id, _url, _headers, body in account.sent]


def test_a_triggered_incident_is_sent_signed_to_the_subscriptions_that_match(account):
    matching = account.webhooks.create(subscription())
    account.webhooks.create(subscription(filter={"type": "service_reference", "id": "PSVCPLT"}))     # other service
    account.webhooks.create(subscription(events=["incident.resolved"]))                               # other events
    account.webhooks.create(subscription(active=False))                                             # inactive
    incident = trigger(account)
    assert len(account.sent) == 1
    webhook_id, url, headers, body = account.sent[0]
    assert url == URL and headers["X-Webhook-Id"] == webhook_id and headers["User-Agent"] == "PagerDuty-Webhook/V3.0"
    secret = secret_of(account.webhooks, matching["id"])
    assert headers["X-PagerDuty-Signature"] == "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    event = json.loads(body)["event"]
    assert (event["event_type"], event["resource_type"], event["agent"]["id"]) == (
        "incident.triggered", "incident", "PADMIN1")
    data = event["data"]
    assert (data["type"], data["id"], data["number"], data["title"], data["status"], data["urgency"]) == (
        "incident", incident["id"], incident["incident_number"], "Checkout failing", "triggered", "high")
    assert data["service"]["id"] == "PSVCCHK" and data["escalation_policy"]["id"] == "PEPCHK1"
    assert [a["id"] for a in data["assignees"]] == ["PLINUS1"]
    assert account.webhooks.deliveries[0]["status"] == "pending"


def test_one_incident_change_is_one_event_in_a_webhook_of_its_own_to_each_subscription(account):
    """event.id is the event's (docs/webhooks/01-Overview.md), X-Webhook-Id the webhook's (02-Behavior.md): the
    subscriptions that match one change get the same event, each in a webhook with its own id and signature."""
    events = ["incident.triggered", "incident.acknowledged"]
    by_service = account.webhooks.create(subscription(events))
    by_team = account.webhooks.create(subscription(events, filter={"type": "team_reference", "id": "PTCHKOT"},
                                                   url=URL + "/team"))
    by_account = account.webhooks.create(subscription(events, filter={"type": "account_reference"}, url=URL + "/all"))
    incident = trigger(account)
    assert [headers["X-Webhook-Subscription"] for _id, _url, headers, _body in account.sent] == [
        by_service["id"], by_team["id"], by_account["id"]]
    bodies = {body for _id, _url, _headers, body in account.sent}
    assert len(bodies) == 1                                              # the same event, byte for byte
    [event] = [json.loads(body)["event"] for body in bodies]
    assert [d["event_id"] for d in account.webhooks.deliveries] == [event["id"]] * 3
    assert len({webhook_id for webhook_id, _url, _headers, _body in account.sent}) == 3
    assert len({headers["X-PagerDuty-Signature"] for _id, _url, headers, _body in account.sent}) == 3
    # the next change is another event
    account.incidents.update_incident(account.directory.users.get("PADMIN1"), incident["id"],
                                      {"status": "acknowledged"})
    acknowledged = {json.loads(body)["event"]["id"] for _id, _url, _headers, body in account.sent[3:]}
    assert len(acknowledged) == 1 and acknowledged != {event["id"]}


def test_every_documented_incident_change_makes_its_event(account):
    account.webhooks.create(subscription(events=[e for e in EVENT_TYPES if e.startswith("incident.")],
                                         filter={"type": "team_reference", "id": "PTCHKOT"}))
    admin = account.directory.users.get("PADMIN1")
    incident = trigger(account)
    account.incidents.update_incident(admin, incident["id"], {"status": "acknowledged"})
    account.incidents.update_incident(admin, incident["id"], {"escalation_level": 2})
    account.incidents.update_incident(admin, incident["id"], {"assignments": [
        {"assignee": {"id": "PGRACE1", "type": "user_reference"}}]})
    account.incidents.update_incident(admin, incident["id"], {"priority": {"id": "PPRIO01",
                                                                           "type": "priority_reference"}})
    account.incidents.add_note(admin, incident["id"], "Rolled back")
    account.response.request_responders(incident["id"], "PADMIN1", "Help", [
        {"responder_request_target": {"id": "PMARGRT", "type": "user_reference"}}])
    account.response.set_responder_state(incident["id"], "PMARGRT", "joined")
    account.response.post_status_update(admin, incident["id"], "Fixing it")
    account.incidents.update_incident(admin, incident["id"], {"status": "resolved"})
    account.incidents.update_incident(admin, incident["id"], {"status": "triggered"})
    assert [e["event_type"] for e in sent_events(account)] == [
        "incident.triggered", "incident.acknowledged", "incident.escalated", "incident.reassigned",
        "incident.priority_updated", "incident.annotated", "incident.responder.added",
        "incident.responder.replied", "incident.status_update_published", "incident.resolved",
        "incident.reopened", "incident.reassigned"]
    by_type = {e["event_type"]: e["data"] for e in sent_events(account)}
    assert by_type["incident.annotated"]["type"] == "incident_note"
    assert by_type["incident.annotated"]["content"] == "Rolled back"
    assert by_type["incident.annotated"]["incident"]["id"] == incident["id"]
    assert by_type["incident.responder.added"]["user"]["id"] == "PMARGRT"
    assert by_type["incident.responder.replied"]["state"] == "joined"
    assert by_type["incident.status_update_published"]["message"] == "Fixing it"
    assert by_type["incident.priority_updated"]["priority"]["summary"] == "P1"


def test_events_api_acknowledge_and_resolve_are_sent_too(account):
    account.webhooks.create(subscription(events=["incident.triggered", "incident.acknowledged", "incident.resolved"],
                                         filter={"type": "account_reference"}))
    key = "pdsimroutingkeycheckoutapi000001"
    for action in ("trigger", "acknowledge", "resolve"):
        account.events.enqueue_event({"routing_key": key, "event_action": action, "dedup_key": "disk",
                                      "payload": {"summary": "disk full", "source": "web1", "severity": "error"}},
                                     100)
    events = sent_events(account)
    assert [e["event_type"] for e in events] == ["incident.triggered", "incident.acknowledged", "incident.resolved"]
    assert events[1]["agent"]["type"] == "events_api_v2_inbound_integration_reference"


def test_three_dropped_webhooks_disable_the_subscription_until_enabled(account):
    created = account.webhooks.create(subscription())
    for _unused in range(3):
        trigger(account)
        account.webhooks.attempted(account.sent[-1][0], 410, "dropped")
    assert created["delivery_method"]["temporarily_disabled"] is True
    trigger(account)
    assert len(account.sent) == 3           # a disabled subscription gets nothing
    account.webhooks.enable(created["id"])
    trigger(account)
    assert len(account.sent) == 4


def test_a_ping_is_pagey(account):
    created = account.webhooks.create(subscription())
    account.webhooks.ping(created["id"])
    assert sent_events(account)[0]["event_type"] == "pagey.ping"


# -- the deliveries thread -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("outcome, expected", [(200, "delivered"), (202, "delivered"), (404, "dropped"),
                                               (401, "dropped"), (429, None), (500, None), (503, None),
                                               ("timeout", None), ("ConnectionRefusedError", None),
                                               ("tls error", "dropped")])
def test_what_is_retried_and_what_dropped(outcome, expected):
    assert verdict(outcome) == expected


class Receiver(object):
    """A local HTTP server that answers with the given statuses in turn (then 200) and keeps what it got."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.received.append((dict(self.headers), body))
                self.send_response(owner.statuses.pop(0) if owner.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def delivering_account(receiver, delays=(0.01, 0.01)):
    account = Account(load_seed())
    deliverer = Deliverer(delays=delays)
    account.webhooks.dispatch = lambda *webhook: deliverer.submit(account, *webhook)
    account.webhooks.create(subscription(url=receiver.url))
    return account, deliverer


def test_webhooks_are_posted_and_failures_retried_as_pagerduty_does():
    receiver = Receiver([503, 429])
    try:
        account, deliverer = delivering_account(receiver)
        with account.lock:
            trigger(account)
        assert deliverer.wait(10)
        delivery = account.webhooks.deliveries[0]
        assert delivery["status"] == "delivered"
        assert [a["outcome"] for a in delivery["attempts"]] == [503, 429, 200]
        assert len(receiver.received) == 3
        headers, body = receiver.received[-1]
        assert headers["X-PagerDuty-Signature"].startswith("v1=") and json.loads(body)["event"]["event_type"] == (
            "incident.triggered")
        assert len({h["X-Webhook-Id"] for h, _body in receiver.received}) == 1      # the same webhook each time
    finally:
        receiver.stop()


def test_a_4xx_drops_the_webhook_and_the_last_retry_gives_up():
    receiver = Receiver([400, 500, 500, 500])
    try:
        account, deliverer = delivering_account(receiver)
        with account.lock:
            trigger(account)
            trigger(account)
        assert deliverer.wait(10)
        first, second = account.webhooks.deliveries
        assert (first["status"], [a["outcome"] for a in first["attempts"]]) == ("dropped", [400])
        assert (second["status"], [a["outcome"] for a in second["attempts"]]) == ("dropped", [500, 500, 500])
    finally:
        receiver.stop()


def test_a_reset_forgets_what_was_not_sent():
    deliverer = Deliverer(delays=(5,))
    account = Account(load_seed())
    calls = []
    deliverer._send = lambda *args: calls.append(args) or 503
    deliverer.submit(account, "W1", URL, {}, b"{}")
    deliverer.submit(account, "W2", URL, {}, b"{}")
    while not calls:
        threading.Event().wait(0.01)
    deliverer.clear()
    assert deliverer.wait(5)
    assert len(calls) == 1


# -- answers -------------------------------------------------------------------------------------------------------------------
def test_webhook_subscription_answers(contract, call, sim):
    created = check(contract, call, "POST", "/webhook_subscriptions", {"webhook_subscription": subscription()},
                    expect=200)["webhook_subscription"]
    assert created["delivery_method"]["secret"].startswith(SECRET_PREFIX)
    path = "/webhook_subscriptions/%s" % created["id"]
    assert check(contract, call, "GET", path, expect=200)["webhook_subscription"]["delivery_method"]["secret"] is None
    check(contract, call, "GET", "/webhook_subscriptions?filter_type=service&filter_id=PSVCCHK&total=true",
          expect=200)
    check(contract, call, "PUT", path, {"webhook_subscription": {"events": ["incident.resolved"]}}, expect=200)
    check(contract, call, "POST", path + "/enable", expect=200)
    check(contract, call, "POST", path + "/ping", expect=202)
    check(contract, call, "DELETE", path, expect=204)
    check(contract, call, "GET", path, expect=404)
    sim.deliveries.clear()


def test_the_request_log_keeps_no_custom_header_value(call, sim):
    body = subscription(delivery_method={"type": "http_delivery_method", "url": URL, "custom_headers": [
        {"name": "Authorization", "value": "pdsim-webhook-custom-header-value"}]})
    assert call("POST", "/webhook_subscriptions", {"webhook_subscription": body})[0] == 200
    assert "pdsim-webhook-custom-header-value" not in json.dumps(sim.logged_requests())
    assert sim.logged_requests()[-1]["body"]["webhook_subscription"]["delivery_method"]["custom_headers"] == [
        {"name": "Authorization", "value": "-- redacted --"}]
