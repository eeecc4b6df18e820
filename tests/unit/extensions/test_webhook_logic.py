"""The EDA source's logic without a network: signatures, redeliveries, the event shape, the receiver, options."""

import asyncio
import json
import logging

import pytest

from webhook_source import OTHER_SECRET, SECRET, TRIGGERED, delivery, load

source = load()


def signed(body, *secrets):
    return {"x-pagerduty-signature": ",".join(source.sign(secret, body) for secret in secrets)}


# -- signatures ------------------------------------------------------------------------------------------------------
def test_signatures_are_the_v1_values_of_the_header():
    header = "v1=AAA, v0=bbb,v1=ccc ,garbage, V1=ddd"
    assert source.signatures_in(header) == ["aaa", "ccc", "ddd"]
    assert source.signatures_in(None) == []
    assert len(source.signatures_in(",".join("v1=%02x" % n for n in range(100)))) == source.MAX_SIGNATURES


def test_sign_is_hmac_sha256_of_the_raw_body_in_hex():
    # the HMAC-SHA256 test vector of the HMAC article (RFC 2104 construction)
    assert source.sign("key", b"The quick brown fox jumps over the lazy dog") == (
        "v1=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")


def test_one_matching_signature_among_several_verifies():
    body = delivery()
    verifier = source.Verifier([SECRET])
    assert verifier.verify(body, signed(body, SECRET)["x-pagerduty-signature"])
    # rotation: PagerDuty signs with the old and the new secret; either may be the one configured here
    assert verifier.verify(body, signed(body, OTHER_SECRET, SECRET)["x-pagerduty-signature"])
    assert source.Verifier([OTHER_SECRET, SECRET]).verify(body, signed(body, SECRET)["x-pagerduty-signature"])


def test_wrong_missing_or_altered_signatures_do_not_verify():
    body = delivery()
    verifier = source.Verifier([SECRET])
    assert not verifier.verify(body, signed(body, OTHER_SECRET)["x-pagerduty-signature"])
    assert not verifier.verify(body, "")
    assert not verifier.verify(body, None)
    assert not verifier.verify(body + b" ", signed(body, SECRET)["x-pagerduty-signature"])
    # the signature of the body as text, not of its bytes, does not verify a body that differs from it
    reencoded = json.dumps(json.loads(body), indent=1).encode()
    assert not verifier.verify(reencoded, signed(body, SECRET)["x-pagerduty-signature"])


@pytest.mark.parametrize("header", ["v1=\xe9", "v1=" + "\xe9" * 64, "v1=\u0663\u00b2", "v1=\udcff"])
def test_a_signature_with_non_ascii_characters_matches_nothing_and_raises_nothing(header):
    """hmac.compare_digest raises TypeError on str with non-ASCII characters; the verifier compares bytes."""
    body = delivery()
    verifier = source.Verifier([SECRET])
    assert verifier.verify(body, header) is False
    assert verifier.verify(body, header + "," + source.sign(SECRET, body)) is True


def test_the_verifier_never_shows_its_secrets():
    assert SECRET not in repr(source.Verifier([SECRET]))


# -- redeliveries -----------------------------------------------------------------------------------------------------
def test_seen_events_remember_the_last_ids_only():
    seen = source.SeenEvents(3)
    assert [seen.add(key) for key in "abc"] == [True, True, True]
    assert seen.add("a") is False            # a redelivery; "a" is now the most recent
    assert seen.add("d") is True             # evicts "b", the oldest
    assert len(seen) == 3 and "b" not in seen and "a" in seen
    assert seen.add("b") is True


# -- the event shape ------------------------------------------------------------------------------------------------------
def test_an_incident_event_has_the_documented_shape():
    event = source.normalise(TRIGGERED, {"x-webhook-id": "W1", "user-agent": "PagerDuty-Webhook/V3.0",
                                         "x-pagerduty-signature": "v1=abc", "x-custom-token": "hush"}, "/pd")
    assert event["payload"] == TRIGGERED
    assert event["pagerduty"] == {
        "event_id": "5ac64822-4adc-4fda-ade0-410becf0de4f", "event_type": "incident.triggered",
        "resource_type": "incident", "occurred_at": "2020-10-02T18:45:22.169Z",
        "agent": {"id": "PLH1HKV", "name": "Tenex Engineer", "type": "user_reference"}, "webhook_id": "W1",
        "incident": {"id": "PGR0VU2", "number": 2, "title": "A little bump in the road", "status": "triggered",
                     "urgency": "high", "incident_key": "d3640fbd41094207a1c11e58e46b1662",
                     "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2",
                     "priority": {"id": "PSO75BM", "name": "P1"},
                     "service": {"id": "PF9KMXH", "name": "API Service"},
                     "escalation_policy": {"id": "PUS0KTE", "name": "Default"}}}
    # neither the signature nor custom headers (which may hold credentials) reach the rulebook's meta
    assert event["meta"] == {"endpoint": "/pd", "headers": {"user-agent": "PagerDuty-Webhook/V3.0",
                                                            "x-webhook-id": "W1"}}


def test_a_note_event_names_its_incident_and_a_service_event_none():
    note = {"event": {"id": "E2", "event_type": "incident.annotated", "agent": None, "data": {
        "type": "incident_note", "id": "P2LA89X", "content": "Rolled back",
        "incident": {"id": "PGR0VU2", "summary": "A little bump", "type": "incident_reference",
                     "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2"}}}}
    shape = source.normalise(note)["pagerduty"]
    assert shape["agent"] is None and shape["resource_type"] is None
    assert shape["incident"]["id"] == "PGR0VU2" and shape["incident"]["title"] == "A little bump"
    assert shape["incident"]["status"] is None
    service = {"event": {"id": "E3", "event_type": "service.updated", "data": {"id": "PF9KMXH", "type": "service"}}}
    assert source.normalise(service)["pagerduty"]["incident"] is None


def test_untrusted_shapes_inside_an_event_become_nulls():
    odd = {"event": {"id": "E4", "event_type": "incident.triggered", "agent": "someone", "data": {
        "type": "incident", "id": 5, "number": "2", "service": ["x"], "priority": {"id": 1}}}}
    incident = source.normalise(odd)["pagerduty"]["incident"]
    assert incident["id"] is None and incident["number"] is None
    assert incident["service"] is None and incident["priority"] is None


@pytest.mark.parametrize("body", [b"not json", b"\xff\xfe", b"[1]", b'{"messages": []}', b'{"event": {"id": "x"}}',
                                  b'{"event": {"id": "", "event_type": "a"}}', b'{"event": {"event_type": "a"}}'])
def test_bodies_that_are_not_v3_webhooks_are_refused(body):
    with pytest.raises(source.Rejected) as caught:
        source.v3_event(body)
    assert caught.value.status == 400


# -- the receiver ---------------------------------------------------------------------------------------------------------
class Rx(object):
    """A Receiver whose coroutine is run to its end by each call (one event loop per call)."""

    def __init__(self, receiver):
        self.receiver = receiver

    def receive(self, headers, body, endpoint=""):
        return asyncio.run(self.receiver.receive(headers, body, endpoint))

    def __getattr__(self, name):
        return getattr(self.receiver, name)


def receiver(event_types=None, size=10, **kwargs):
    return Rx(source.Receiver(source.Verifier([SECRET]), asyncio.Queue(size), event_types, **kwargs))


def queued(rx):
    items = []
    while not rx.queue.empty():
        items.append(rx.queue.get_nowait())
    return items


@pytest.mark.parametrize("headers", [{}, {"x-pagerduty-signature": "v1=" + "0" * 64},
                                     {"x-pagerduty-signature": source.sign(OTHER_SECRET, delivery())}])
def test_unsigned_or_forged_deliveries_queue_nothing(headers):
    rx = receiver()
    with pytest.raises(source.Rejected) as caught:
        rx.receive(headers, delivery())
    assert caught.value.status == 401
    assert queued(rx) == []


def test_a_forged_delivery_is_refused_before_its_body_is_parsed():
    rx = receiver()
    with pytest.raises(source.Rejected) as caught:
        rx.receive({"x-pagerduty-signature": "v1=00"}, b"not json")
    assert caught.value.status == 401


def test_a_verified_delivery_is_queued_once_however_often_it_arrives():
    rx = receiver()
    body = delivery()
    assert rx.receive(signed(body, SECRET), body, "/hook")[0] == 202
    assert rx.receive(signed(body, SECRET), body, "/hook") == (200, {"status": "duplicate", "id": TRIGGERED["event"]["id"]})
    # the same event through a second subscription (another secret, another signature) is the same event
    multi = Rx(source.Receiver(source.Verifier([SECRET, OTHER_SECRET]), rx.queue))
    multi.receiver.seen = rx.seen
    assert multi.receive(signed(body, OTHER_SECRET), body)[0] == 200
    events = queued(rx)
    assert len(events) == 1 and events[0]["pagerduty"]["event_id"] == TRIGGERED["event"]["id"]
    assert events[0]["meta"]["endpoint"] == "/hook"


def test_event_types_filter_what_is_queued():
    rx = receiver(event_types=["incident.triggered"])
    resolved = delivery("E-res", "incident.resolved")
    assert rx.receive(signed(resolved, SECRET), resolved) == (200, {"status": "ignored",
                                                                    "event_type": "incident.resolved"})
    triggered = delivery("E-trig")
    assert rx.receive(signed(triggered, SECRET), triggered)[0] == 202
    assert [e["pagerduty"]["event_id"] for e in queued(rx)] == ["E-trig"]


def test_a_rulebook_that_does_not_take_the_event_in_time_gets_503_and_the_retry_is_accepted():
    rx = receiver(size=1, queue_timeout=0.05)
    first, second = delivery("E1"), delivery("E2")
    rx.receive(signed(first, SECRET), first)
    with pytest.raises(source.Rejected) as caught:
        rx.receive(signed(second, SECRET), second)
    assert caught.value.status == 503
    queued(rx)
    assert rx.receive(signed(second, SECRET), second)[0] == 202     # PagerDuty's retry: not taken for a duplicate


def test_without_a_verifier_unsigned_deliveries_are_accepted():
    rx = Rx(source.Receiver(None, asyncio.Queue()))
    assert rx.receive({}, delivery())[0] == 202


# -- options ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, message", [
    ({"secret": SECRET}, "port is required"),
    ({"port": 5000}, "secret is required"),
    ({"port": 5000, "secret": SECRET, "allow_unsigned": True}, "cannot be combined"),
    ({"port": "x", "secret": SECRET}, "port must be a number"),
    ({"port": 5000, "secret": [SECRET, 3]}, "secret must be a string or a list of strings"),
    ({"port": 5000, "secret": " "}, "secret must not be empty"),
    ({"port": 5000, "secret": SECRET, "allow_unsigned": "maybe"}, "allow_unsigned must be true or false"),
    ({"port": 5000, "secret": SECRET, "keyfile": "k.pem"}, "keyfile needs certfile"),
    ({"port": 5000, "secret": SECRET, "timeout": 0}, "timeout must be at least 0.1"),
])
def test_bad_options_are_refused_without_showing_the_secret(args, message):
    with pytest.raises(ValueError) as caught:
        source.Options(args)
    assert message in str(caught.value)
    assert SECRET not in str(caught.value)


def test_options_defaults():
    options = source.Options({"port": "5000", "secret": SECRET, "event_types": "incident.triggered"})
    assert (options.host, options.port, options.secrets, options.event_types) == (
        "127.0.0.1", 5000, [SECRET], ["incident.triggered"])
    assert (options.timeout, options.max_connections, options.queue_timeout, options.dedup_size) == (
        10.0, 1024, 3.0, 10000)
    assert options.ssl_context() is None
    assert SECRET not in repr(options)
    assert source.Options({"port": 1, "allow_unsigned": "true"}).allow_unsigned is True


# -- logging ------------------------------------------------------------------------------------------------------------------
def test_refusals_are_logged_by_reason_at_most_once_per_interval(caplog):
    now = [100.0]
    log = source.RefusalLog(every=10, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING):
        log.refused(401, "invalid signature", "10.0.0.1")
        for _unused in range(500):
            log.refused(401, "invalid signature", "10.0.0.1")
        log.refused(413, "body larger than 262144 bytes")
        assert len(caplog.records) == 1
        now[0] += 10
        log.refused(401, "no signature")
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == "PagerDuty webhook: refused 1 x 401 invalid signature (last from 10.0.0.1)"
    assert messages[1] == ("PagerDuty webhook: refused 500 x 401 invalid signature, 1 x 401 no signature, "
                           "1 x 413 body larger than 262144 bytes")
    assert log.total[401] == 502


def test_a_refusal_warning_stays_short_however_many_distinct_reasons_there_are(caplog):
    """Reasons may hold client text (a method's name): however many there are, the reasons kept between two warnings
    are bounded (then counted by status), and a warning names the most frequent few and counts the rest."""
    now = [100.0]
    log = source.RefusalLog(every=10, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING):
        log.refused(401, "no signature")
        for index in range(10000):
            log.refused(405, "method 'M%05d'" % index)
        log.refused(401, "invalid signature")
        assert len(log.pending) == source.KEEP_REASONS + 2     # and a "(other reasons)" of each status
        now[0] += 10
        log.refused(405, "method 'M00000'")
    first, second = [record.getMessage() for record in caplog.records]
    assert first == "PagerDuty webhook: refused 1 x 401 no signature"
    folded, others = 10000 - source.KEEP_REASONS, source.KEEP_REASONS - 3      # M00003 to M00063, one each
    assert second == ("PagerDuty webhook: refused %d x 405 (other reasons), 2 x 405 method 'M00000', "
                      "1 x 401 (other reasons), 1 x 405 method 'M00001', 1 x 405 method 'M00002', "
                      "and %d for %d other reason(s)" % (folded, others, others))
    assert log.total[405] == 10001 and log.total[401] == 2


# -- HTTP parsing ------------------------------------------------------------------------------------------------------------
def test_a_request_head_is_parsed_with_lower_case_headers():
    request = source.parse_head(b"POST /pd?x=1 HTTP/1.1\r\nHost: a\r\nX-PagerDuty-Signature: v1=ab\r\n"
                                b"Content-Length: 12")
    assert (request.method, request.path, request.version) == ("POST", "/pd", "HTTP/1.1")
    assert request.headers == {"host": "a", "x-pagerduty-signature": "v1=ab", "content-length": "12"}
    assert request.keep_alive
    assert not source.parse_head(b"POST / HTTP/1.0\r\nHost: a").keep_alive
    assert source.body_length(request) == 12


@pytest.mark.parametrize("head, status", [
    (b"POST / HTTP/2.0", 400), (b"GET", 400), (b"POST nopath HTTP/1.1", 400),
    (b"POST / HTTP/1.1\r\nno colon", 400), (b"POST / HTTP/1.1\r\n folded: x", 400),
    (b"POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 2", 400),
])
def test_malformed_heads_are_refused(head, status):
    with pytest.raises(source.Rejected) as caught:
        source.parse_head(head)
    assert caught.value.status == status


@pytest.mark.parametrize("headers, status", [
    ({}, 411), ({"transfer-encoding": "chunked"}, 411), ({"content-length": "-1"}, 400),
    ({"content-length": "1e3"}, 400), ({"content-length": str(256 * 1024 + 1)}, 413),
    # digits to str.isdigit() but not to int(): superscripts (Latin-1, as the head is decoded), other scripts' digits
    ({"content-length": "\u00b2"}, 400), ({"content-length": "1\u00b9"}, 400), ({"content-length": "\u0663"}, 400),
    ({"content-length": ""}, 400), ({"content-length": " 1"}, 400),
    # more digits than int() converts (4,300)
    ({"content-length": "1" * 5000}, 413), ({"content-length": "0" * 5000 + "262145"}, 413),
])
def test_body_lengths_that_are_refused(headers, status):
    with pytest.raises(source.Rejected) as caught:
        source.body_length(source.Request("POST", "/", "HTTP/1.1", headers))
    assert caught.value.status == status


@pytest.mark.parametrize("value, length", [(str(256 * 1024), 262144), ("0", 0), ("0012", 12), ("0" * 5000 + "7", 7)])
def test_body_lengths_that_are_accepted(value, length):
    assert source.body_length(source.Request("POST", "/", "HTTP/1.1", {"content-length": value})) == length


def test_a_redelivery_that_arrives_while_the_first_waits_for_the_rulebook_is_not_queued_twice():
    async def scenario():
        rx = source.Receiver(source.Verifier([SECRET]), asyncio.Queue(1), queue_timeout=2)
        await rx.queue.put("an event the rulebook has not taken yet")
        body = delivery()
        first = asyncio.ensure_future(rx.receive(signed(body, SECRET), body))
        await asyncio.sleep(0.01)
        second = await rx.receive(signed(body, SECRET), body)
        rx.queue.get_nowait()
        return await first, second, rx.queue.qsize()
    first, second, size = asyncio.run(scenario())
    assert first[0] == 202 and second[0] == 200 and size == 1
