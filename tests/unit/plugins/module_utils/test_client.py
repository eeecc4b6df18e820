"""Unit tests of the shared client: headers, retries, error decoding, pagination.

``requests`` is faked at the transport adapter, so the real Session builds and
encodes every request; nothing leaves the process.
"""

import json
import math
import re
import time

import pytest
import requests
from requests.exceptions import ConnectTimeout, ConnectionError as RequestsConnectionError, ReadTimeout, SSLError

from ansible_collections.oncall.pagerduty.plugins.module_utils import client as pd
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.events import send_alert_event, send_change_event
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils.version import COLLECTION_VERSION


class FakeAdapter(requests.adapters.BaseAdapter):
    """Answers from a script: (status, headers, body) tuples, exceptions, or callables of the request."""

    def __init__(self, script):
        super(FakeAdapter, self).__init__()
        self.script = list(script)
        self.calls = []

    def send(self, request, **kwargs):
        self.calls.append(request)
        if not self.script:
            raise AssertionError("unexpected request %s %s" % (request.method, request.url))
        action = self.script.pop(0)
        if callable(action) and not isinstance(action, Exception):
            action = action(request)
        if isinstance(action, Exception):
            raise action
        status, headers, body = action
        response = requests.Response()
        response.status_code = status
        response.reason = {200: "OK", 201: "Created", 204: "No Content", 429: "Too Many Requests"}.get(status, "Error")
        response.headers.update(headers or {})
        if body is None:
            response._content = b""
        elif isinstance(body, (dict, list)):
            response._content = json.dumps(body).encode()
        else:
            response._content = body.encode()
        response._content_consumed = True    # (the client streams the answer: it reads it from _content)
        response.request = request
        response.url = request.url
        return response

    def close(self):
        pass


def make(script, **kwargs):
    adapter = FakeAdapter(script)
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    waits = []
    options = dict(api_token="secret-token", from_email="ops@example.com", session=session, sleep=waits.append)
    options.update(kwargs)
    return pd.PagerDutyClient(**options), adapter, waits


def query(request):
    from urllib.parse import urlsplit, parse_qs
    return parse_qs(urlsplit(request.url).query)


OK = (200, {}, {"ok": True})


# -- headers and URLs --------------------------------------------------------------------

def test_rest_headers_and_user_agent():
    client, adapter, waits = make([OK])
    client.get("/users", {"query": "ada"})
    request = adapter.calls[0]
    assert request.url == "https://api.pagerduty.com/users?query=ada"
    assert request.headers["Authorization"] == "Token token=secret-token"
    assert request.headers["Accept"] == "application/vnd.pagerduty+json;version=2"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "oncall.pagerduty/%s" % COLLECTION_VERSION
    assert "From" not in request.headers


def test_from_header_only_on_writes_that_need_it():
    client, adapter, waits = make([(201, {}, {"note": {}}), OK])
    client.post("/incidents/P1/notes", {"note": {"content": "x"}}, needs_from=True)
    client.put("/users/P1", {"user": {}})
    assert adapter.calls[0].headers["From"] == "ops@example.com"
    assert json.loads(adapter.calls[0].body) == {"note": {"content": "x"}}
    assert "From" not in adapter.calls[1].headers


def test_missing_from_email_fails_before_sending():
    client, adapter, waits = make([], from_email=None)
    with pytest.raises(pd.PagerDutyConfigError, match="from_email is required"):
        client.post("/incidents", {}, needs_from=True)
    assert adapter.calls == []


def test_missing_token_fails_before_sending():
    client, adapter, waits = make([], api_token=None)
    with pytest.raises(pd.PagerDutyConfigError, match="PAGERDUTY_API_TOKEN"):
        client.get("/users")
    assert adapter.calls == []


def test_eu_region_and_overrides():
    client, adapter, waits = make([OK, (202, {}, {"status": "success"})], region="eu")
    client.get("/users")
    send_alert_event(client, {"routing_key": "k", "event_action": "trigger"})
    assert adapter.calls[0].url.startswith("https://api.eu.pagerduty.com/users")
    assert adapter.calls[1].url == "https://events.eu.pagerduty.com/v2/enqueue"
    client, adapter, waits = make([], region="eu", api_url="http://127.0.0.1:1/", events_url="http://127.0.0.1:2/v2/")
    assert client.api_url == "http://127.0.0.1:1"
    assert client.events_url == "http://127.0.0.1:2"


@pytest.mark.parametrize("pasted", [
    "https://events.example.com", "https://events.example.com/", "https://events.example.com/v2",
    "https://events.example.com/v2/enqueue", "https://events.example.com/v2/enqueue/",
    "https://events.example.com/v2/change/enqueue",
])
def test_a_pasted_events_endpoint_is_reduced_to_the_base_url(pasted):
    client, adapter, waits = make([(202, {}, {"status": "success"}), (202, {}, {"status": "success"})],
                                  events_url=pasted)
    send_alert_event(client, {"event_action": "trigger"})
    send_change_event(client, {"payload": {}})
    assert [c.url for c in adapter.calls] == ["https://events.example.com/v2/enqueue",
                                              "https://events.example.com/v2/change/enqueue"]


def test_unknown_region_is_refused():
    with pytest.raises(pd.PagerDutyConfigError, match="region must be one of eu, us"):
        make([], region="apac")


def test_events_requests_carry_no_token():
    client, adapter, waits = make([(202, {}, {"status": "success", "dedup_key": "k"})])
    assert send_alert_event(client, {"event_action": "trigger"}) == {"status": "success", "dedup_key": "k"}
    assert "Authorization" not in adapter.calls[0].headers


def test_204_returns_none():
    client, adapter, waits = make([(204, {}, None)])
    assert client.delete("/users/P1") is None


# -- retries -------------------------------------------------------------------------------

def test_429_waits_for_ratelimit_reset_plus_jitter():
    client, adapter, waits = make([(429, {"ratelimit-reset": "3", "ratelimit-remaining": "0",
                                          "ratelimit-limit": "960"}, {"error": {"code": 2020}}), OK])
    assert client.get("/users") == {"ok": True}
    assert len(adapter.calls) == 2
    assert 3.05 <= waits[0] <= 3.05 + 0.3 + 1e-9


def test_429_with_ratelimit_reset_zero_retries_at_once():
    # 0 means the window has already reset: it is not a missing header (Retry-After says otherwise here)
    client, adapter, waits = make([(429, {"ratelimit-reset": "0", "Retry-After": "30"}, None), OK])
    assert client.get("/users") == {"ok": True}
    assert waits == [pytest.approx(0.05)]


def test_429_uses_retry_after_when_there_is_no_ratelimit_header():
    client, adapter, waits = make([(429, {"Retry-After": "2"}, None), OK])
    client.get("/users")
    assert 2.05 <= waits[0] <= 2.05 + 0.2 + 1e-9


def test_429_without_headers_backs_off_exponentially():
    client, adapter, waits = make([(429, {}, None)] * 3 + [OK])
    client.get("/users")
    assert len(adapter.calls) == 4
    assert 0.25 <= waits[0] <= 0.5
    assert 0.5 <= waits[1] <= 1.0
    assert 1.0 <= waits[2] <= 2.0


def test_429_is_retried_even_for_writes_that_are_not_safe_to_repeat():
    client, adapter, waits = make([(429, {"ratelimit-reset": "1"}, None), (201, {}, {"note": {"id": "N"}})])
    assert client.post("/incidents/P1/notes", {"note": {}}, needs_from=True) == {"note": {"id": "N"}}
    assert len(adapter.calls) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_for_reads_and_puts(status):
    client, adapter, waits = make([(status, {}, None), OK, (status, {}, None), OK])
    assert client.get("/incidents/P1") == {"ok": True}
    assert client.put("/incidents/P1", {"incident": {}}) == {"ok": True}
    assert len(adapter.calls) == 4


def test_connection_errors_are_retried_for_reads():
    client, adapter, waits = make([RequestsConnectionError("Connection aborted.', ConnectionResetError(104)"),
                                   ReadTimeout("read timed out"), OK])
    assert client.get("/users") == {"ok": True}
    assert len(adapter.calls) == 3


def test_unsafe_write_is_not_resent_blindly():
    client, adapter, waits = make([(503, {}, None)])
    with pytest.raises(pd.PagerDutyUncertainWriteError, match="not retried because repeating POST /incidents/P1/notes"):
        client.post("/incidents/P1/notes", {"note": {}}, needs_from=True)
    assert len(adapter.calls) == 1


def test_unsafe_write_after_read_timeout_is_confirmed_not_resent():
    client, adapter, waits = make([ReadTimeout("read timed out")])
    found = {"note": {"id": "N", "content": "x"}}
    assert client.post("/incidents/P1/notes", {"note": {}}, needs_from=True, confirm=lambda: found) == found
    assert len(adapter.calls) == 1


def test_unsafe_write_is_resent_when_confirm_finds_nothing():
    confirmations = []

    def confirm():
        confirmations.append(1)
        return None
    client, adapter, waits = make([(500, {}, None), (201, {}, {"note": {"id": "N"}})])
    assert client.post("/incidents/P1/notes", {"note": {}}, needs_from=True, confirm=confirm) == {"note": {"id": "N"}}
    assert len(adapter.calls) == 2 and confirmations == [1]


def test_writes_that_pagerduty_accepted_are_recorded():
    client, adapter, waits = make([OK, (201, {}, {"note": {"id": "N"}}), (500, {}, None), (204, {}, None),
                                   (400, {}, {"error": {"message": "bad"}}), (202, {}, {"status": "success"})])
    client.get("/users")
    client.post("/incidents/P1/notes", {"note": {}}, needs_from=True)
    client.put("/teams/T1/users/U1")            # a 500, then a 204 on the retry
    with pytest.raises(pd.PagerDutyAPIError):
        client.delete("/users/U1")
    send_alert_event(client, {"event_action": "trigger"})
    assert client.writes == [("POST", "/incidents/P1/notes"), ("PUT", "/teams/T1/users/U1"), ("POST", "/v2/enqueue")]


def test_a_write_found_by_confirm_is_recorded():
    client, adapter, waits = make([ReadTimeout("read timed out")])
    client.post("/users", {"user": {}}, needs_from=True, confirm=lambda: {"user": {"id": "U1"}})
    assert client.writes == [("POST", "/users")]
    client, adapter, waits = make([ReadTimeout("read timed out")])
    with pytest.raises(pd.PagerDutyUncertainWriteError):
        client.post("/users", {"user": {}}, needs_from=True)
    assert client.writes == []


def test_connection_refused_is_retried_even_for_unsafe_writes():
    refused = RequestsConnectionError("HTTPSConnectionPool: Max retries exceeded (Caused by NewConnectionError("
                                      "'Failed to establish a new connection: [Errno 111] Connection refused'))")
    client, adapter, waits = make([refused, ConnectTimeout("connect timed out"), (201, {}, {"incident": {}})])
    assert client.post("/incidents", {"incident": {}}, needs_from=True) == {"incident": {}}
    assert len(adapter.calls) == 3


def test_change_events_retry_error_statuses_but_not_a_lost_answer():
    client, adapter, waits = make([(500, {}, None), (202, {}, {"status": "success"})])
    assert send_change_event(client, {"payload": {}}) == {"status": "success"}
    client, adapter, waits = make([ReadTimeout("read timed out")])
    with pytest.raises(pd.PagerDutyUncertainWriteError):
        send_change_event(client, {"payload": {}})
    assert len(adapter.calls) == 1


def test_alert_events_are_retried_after_a_lost_answer():
    client, adapter, waits = make([ReadTimeout("read timed out"), (202, {}, {"status": "success"})])
    assert send_alert_event(client, {"dedup_key": "k"}) == {"status": "success"}
    assert len(adapter.calls) == 2


def test_bounded_total_wait_then_a_clear_failure():
    client, adapter, waits = make([(429, {"ratelimit-reset": "4"}, {"error": {"message": "Rate Limit Exceeded",
                                                                              "code": 2020}})] * 5,
                                  max_retry_wait=10)
    with pytest.raises(pd.PagerDutyRetryError) as caught:
        client.get("/users")
    message = str(caught.value)
    assert message.startswith("Gave up on GET /users after 3 attempts")
    assert "429 (code 2020) on GET /users: Rate Limit Exceeded" in message
    assert sum(waits) <= 10 and len(adapter.calls) == 3


def test_max_retry_wait_zero_disables_retries():
    client, adapter, waits = make([(503, {}, None)], max_retry_wait=0)
    with pytest.raises(pd.PagerDutyRetryError, match="after 1 attempts"):
        client.get("/users")
    assert len(adapter.calls) == 1


def test_tls_errors_are_not_retried():
    client, adapter, waits = make([SSLError("certificate verify failed")])
    with pytest.raises(pd.PagerDutyTransportError, match="validate_certs"):
        client.get("/users")
    assert len(adapter.calls) == 1


def test_rate_budget_holds_requests_when_the_limit_is_nearly_used():
    client, adapter, waits = make([(200, {"ratelimit-remaining": "1", "ratelimit-reset": "5",
                                          "ratelimit-limit": "960"}, {}), OK], concurrency=2)
    client.get("/users")
    client.get("/users")
    assert len(waits) == 1 and 4.5 < waits[0] <= 5.0


# -- errors ------------------------------------------------------------------------------------

def test_rest_error_is_one_line_with_status_code_and_details():
    client, adapter, waits = make([(400, {}, {"error": {"message": "Invalid Input Provided", "code": 2001,
                                              "errors": ["Escalation level is invalid", "Nope"]}})])
    with pytest.raises(pd.PagerDutyAPIError) as caught:
        client.put("/incidents/P1", {"incident": {}})
    error = caught.value
    assert str(error) == ("PagerDuty REST API error 400 (code 2001) on PUT /incidents/P1: Invalid Input Provided: "
                          "Escalation level is invalid; Nope")
    assert "\n" not in str(error)
    assert error.details() == {"status": 400, "pagerduty_error": {
        "code": 2001, "message": "Invalid Input Provided", "errors": ["Escalation level is invalid", "Nope"]}}


def test_v3_error_object_is_flattened():
    client, adapter, waits = make([(400, {}, {"error": {"message": "Invalid", "code": 2001,
                                              "errors": {"name": ["can't be blank"], "rules": ["is too long"]}}})])
    with pytest.raises(pd.PagerDutyAPIError, match=r"Invalid: name can't be blank; rules is too long$"):
        client.get("/v3/things")


def test_401_says_to_check_token_and_region():
    client, adapter, waits = make([(401, {}, {"error": {"message": "Authentication failed", "code": 2006}})])
    with pytest.raises(pd.PagerDutyAPIError, match=r"401 \(code 2006\).*check api_token .* region"):
        client.get("/users")


def test_events_error_body():
    client, adapter, waits = make([(400, {}, {"status": "invalid event", "message": "Event object is invalid",
                                    "errors": ["Length of 'routing_key' is incorrect (should be 32 characters)"]})])
    with pytest.raises(pd.PagerDutyAPIError) as caught:
        send_alert_event(client, {})
    assert str(caught.value) == ("PagerDuty Events API error 400 on POST /v2/enqueue: invalid event: Event object is "
                                 "invalid: Length of 'routing_key' is incorrect (should be 32 characters)")


def test_non_json_error_body():
    client, adapter, waits = make([(404, {}, "<html>\nNot here</html>")])
    with pytest.raises(pd.PagerDutyAPIError, match=r"404 on GET /nope: <html>$"):
        client.get("/nope")


def test_token_never_appears_in_errors():
    client, adapter, waits = make([(401, {}, {"error": {"message": "Authentication failed", "code": 2006}})])
    with pytest.raises(pd.PagerDutyAPIError) as caught:
        client.get("/users")
    assert "secret-token" not in str(caught.value) and "secret-token" not in repr(caught.value.details())


# -- pagination ------------------------------------------------------------------------------

def page_server(items, key, total_supported=True, cap=10000):
    def answer(request):
        q = query(request)
        limit, offset = int(q["limit"][0]), int(q["offset"][0])
        assert limit <= 100 and offset + limit <= cap
        return 200, {}, {key: items[offset:offset + limit], "limit": limit, "offset": offset,
                         "more": offset + limit < len(items),
                         "total": len(items) if total_supported and q.get("total") == ["true"] else None}
    return answer


def test_classic_pagination_concurrent_in_order():
    import threading
    import time
    items = [{"id": "U%05d" % n} for n in range(2500)]
    threads = set()
    serve = page_server(items, "users")

    def slow(request):
        threads.add(threading.current_thread().name)
        time.sleep(0.01)
        return serve(request)
    client, adapter, waits = make([slow] * 25)
    found, info = client.list_all("/users", "users", {"query": "u"})
    assert len(threads) > 1, "later pages were not fetched concurrently"
    assert found == items
    assert info == {"total": 2500, "truncated": False, "pages": 25}
    assert len(adapter.calls) == 25
    assert all(query(c)["query"] == ["u"] for c in adapter.calls)


def test_pages_step_by_the_items_received_not_by_an_echoed_limit():
    # asked for 100 a page, the server serves 25: the next offsets are 25, 50 so that nothing is skipped, and the
    # listing stops in one line once it could take more than ceil(items / 100) + 2 requests
    items = [{"id": "P%d" % n} for n in range(130)]
    serve = page_server(items, "things")

    def at_most_25(request):
        q = query(request)
        status, headers, body = serve(request)
        limit = min(25, int(q["limit"][0]))
        offset = int(q["offset"][0])
        return status, headers, dict(body, things=items[offset:offset + limit], limit=limit,
                                     more=offset + limit < len(items))
    client, adapter, waits = make([at_most_25] * 6)
    with pytest.raises(PagerDutyError, match=r"^Unusable answer to GET /things: the pages hold fewer items than "
                                             r"asked \(75 items in 3 requests of 100\) although the answers say there "
                                             r"are more; stopped \(a listing takes at most ceil\(items / 100\) \+ 2 "
                                             r"requests\)$"):
        client.list_all("/things", "things")
    assert [int(query(c)["offset"][0]) for c in adapter.calls] == [0, 25, 50]
    assert all(query(c)["limit"] == ["100"] for c in adapter.calls), "an echoed limit is not believed"


def runaway(served, pages=20000):
    """A client whose server answers ``served(offset)`` (the items of a page) with more: true, for ever."""
    def answer(request):
        offset = int(query(request)["offset"][0])
        return 200, {}, {"things": served(offset), "limit": 100, "offset": offset, "more": True, "total": None}
    return make([answer] * pages)


@pytest.mark.parametrize("served", [
    lambda offset: [{"id": "P%d" % offset}],                                        # one item a page
    lambda offset: [{"id": "P%d" % n} for n in range(offset % 7, offset % 7 + 100)],    # a window that slides a little
], ids=["one item a page", "a sliding window"])
def test_pages_that_say_more_but_bring_little_are_bounded(served):
    client, adapter, waits = runaway(served)
    with pytest.raises(PagerDutyError, match=r"the pages hold fewer items than asked \((\d+) items") as stopped:
        client.list_all("/things", "things")
    items = int(re.search(r"\((\d+) items", str(stopped.value)).group(1))
    assert len(adapter.calls) <= math.ceil(items / 100.0) + 2


def test_a_total_with_the_same_page_at_every_offset_is_not_read_concurrently():
    page = [{"id": "P%d" % n} for n in range(100)]

    def answer(request):
        q = query(request)
        return 200, {}, {"things": page, "limit": 100, "offset": int(q["offset"][0]), "more": True, "total": 10000}
    client, adapter, waits = make([answer] * 200)
    with pytest.raises(PagerDutyError, match=r"repeats items already listed"):
        client.list_all("/things", "things")
    assert len(adapter.calls) == 3, "the first page, the last (the same again: not believed), then the second"


def test_an_offset_at_the_10000_cap_is_never_sent_nor_a_limit_under_1():
    # each page repeats 50 items of the page before: the offset reaches 10,000 before 10,000 items are listed
    def answer(request):
        q = query(request)
        offset, limit = int(q["offset"][0]), int(q["limit"][0])
        start = offset // 2
        return 200, {}, {"things": [{"id": "P%d" % n} for n in range(start, start + limit)], "limit": limit,
                         "offset": offset, "more": True, "total": None}
    client, adapter, waits = make([answer] * 300)
    try:
        client.list_all("/things", "things")
    except PagerDutyError:
        pass
    assert all(1 <= int(query(c)["limit"][0]) and int(query(c)["offset"][0]) + int(query(c)["limit"][0]) <= 10000
               for c in adapter.calls)


def test_a_listing_goes_on_from_a_first_page_the_caller_has():
    items = [{"id": "P%d" % n} for n in range(250)]
    client, adapter, waits = make([page_server(items, "things")] * 3)
    first = client.get("/things", {"limit": 100, "offset": 0})
    found, info = client.list_all("/things", "things", first=first)
    assert found == items and info["pages"] == 3
    assert [int(query(c)["offset"][0]) for c in adapter.calls] == [0, 100, 200], "page 0 is not asked for twice"


def test_classic_pagination_without_total_is_sequential():
    items = [{"id": "P%d" % n} for n in range(250)]
    client, adapter, waits = make([page_server(items, "things", total_supported=False)] * 3)
    found, info = client.list_all("/things", "things")
    assert found == items and info["pages"] == 3 and info["total"] is None
    assert [int(query(c)["offset"][0]) for c in adapter.calls] == [0, 100, 200]


def test_classic_pagination_stops_at_the_10000_cap():
    items = [{"id": "P%d" % n} for n in range(12000)]
    client, adapter, waits = make([page_server(items, "users")] * 100)
    found, info = client.list_all("/users", "users")
    assert len(found) == 10000 and found[-1] == {"id": "P9999"}
    assert info["truncated"] is True and info["total"] == 12000
    assert len(adapter.calls) == 100


def test_max_items_limits_the_listing():
    items = [{"id": "P%d" % n} for n in range(500)]
    client, adapter, waits = make([page_server(items, "users")] * 2)
    found, info = client.list_all("/users", "users", max_items=150)
    assert len(found) == 150 and info["truncated"] is True


def test_unresolvable_host_fails_at_once():
    error = RequestsConnectionError("HTTPSConnectionPool(host='events.eu.pagerduty.com', port=443): Max retries "
                                    "exceeded (Caused by NameResolutionError(\"Failed to resolve 'x'\"))")
    client, adapter, waits = make([error])
    with pytest.raises(pd.PagerDutyTransportError, match="does not resolve; check region, api_url and events_url"):
        client.get("/users")
    assert len(adapter.calls) == 1 and waits == []


def test_version_matches_galaxy_yml():
    import os
    import re
    galaxy = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "galaxy.yml")
    with open(galaxy) as handle:
        version = re.search(r"^version:\s*(\S+)", handle.read(), re.M).group(1)
    assert version == COLLECTION_VERSION


@pytest.mark.parametrize("policy, error_status, lost_answer", [
    (pd.SAFE, "retried", "retried"),
    (pd.RETRY_ON_STATUS, "retried", "uncertain"),
    (pd.UNSAFE, "uncertain", "uncertain"),
])
def test_each_retry_policy_says_what_may_be_sent_again(policy, error_status, lost_answer):
    for failure, expected in (((503, {}, None), error_status), (ReadTimeout("read timed out"), lost_answer)):
        client, adapter, waits = make([failure, OK])
        if expected == "retried":
            assert client.put("/incidents/P1", {"incident": {}}, retry=policy) == {"ok": True}
            assert len(adapter.calls) == 2
        else:
            with pytest.raises(pd.PagerDutyUncertainWriteError):
                client.put("/incidents/P1", {"incident": {}}, retry=policy)
            assert len(adapter.calls) == 1


def test_answers_are_read_when_no_thread_can_be_started(monkeypatch):
    # at interpreter shutdown (the notify callback's atexit delivery) no timer thread can be started
    import threading

    def refuse(self):
        raise RuntimeError("can't create new thread at interpreter shutdown")
    monkeypatch.setattr(threading.Timer, "start", refuse)
    client, adapter, waits = make([OK])
    assert client.get("/users") == {"ok": True}


def test_a_short_page_between_ends_the_listing_in_one_line_after_at_most_the_pools_width_ahead():
    # honest first and last pages, but the page at offset 300 holds 40 items (PagerDuty fills every page but the
    # last): the listing stops in one line, having asked for at most the pool's width of pages beyond the short
    # one, even when the short page is the slowest to come
    items = [{"id": "P%d" % n} for n in range(1000)]
    served = []

    def answer(request):
        q = query(request)
        limit, offset = int(q["limit"][0]), int(q["offset"][0])
        served.append(offset)
        if offset == 300:
            time.sleep(0.2)     # (a pool that runs ahead of the reader would fetch every page meanwhile)
        size = 40 if offset == 300 else limit
        return 200, {}, {"things": items[offset:offset + size], "limit": limit, "offset": offset,
                         "more": offset + size < len(items), "total": len(items)}
    client, adapter, waits = make([answer] * 40, concurrency=4)
    with pytest.raises(PagerDutyError, match=r"the pages hold fewer items than asked \(300 items"):
        client.list_all("/things", "things")
    assert sorted(served)[:5] == [0, 100, 200, 300, 400] and 900 in served
    assert len(served) <= 5 + 4, "the first and last pages, those up to the short one, and at most 4 ahead"
    assert 340 not in served, "no page is read after the short one"


# -- answers that broke the client before (found by running it against a hostile server) ---------------------------
DEEP = "[" * 100000 + "]" * 100000


@pytest.mark.parametrize("status", [200, 500])
def test_json_nested_deeper_than_the_parser_goes_is_one_line(status):
    client, adapter, waits = make([(status, {"Content-Type": "application/json"}, DEEP)], max_retry_wait=0)
    with pytest.raises(PagerDutyError) as failed:
        client.get("/users/P1")
    message = str(failed.value)
    assert "GET /users/P1" in message and "\n" not in message and len(message) < 400, message


def test_a_redirect_to_what_is_not_a_url_is_one_line():
    client, adapter, waits = make([(302, {"Location": "http://[evil/x"}, "")])
    with pytest.raises(PagerDutyError, match=r"^Unusable answer to GET /users/P1: the answer could not be read "
                                             r"\(Invalid IPv6 URL\): a redirect to a location that is not a URL"):
        client.get("/users/P1")
    assert len(adapter.calls) == 1


@pytest.mark.parametrize("reset", ["nan", "inf", "-inf", "-5", "1e400"])
def test_rate_limit_headers_that_are_no_number_of_seconds_are_not_believed(reset):
    headers = {"ratelimit-remaining": "0", "ratelimit-reset": reset}
    client, adapter, waits = make([(200, headers, {"user": {}}), (200, headers, {"user": {}}),
                                   (429, {"ratelimit-reset": reset, "Retry-After": reset}, {}), OK],
                                  max_retry_wait=5)
    client.get("/users/P1")
    client.get("/users/P2")
    assert client.get("/users/P3") == {"ok": True}
    assert all(0 <= wait <= 5 for wait in waits), waits
