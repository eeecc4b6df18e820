"""Reading answers without trusting them: generated bodies (hypothesis) can make the readers fail only with the
collection's one-line errors, never with a Python exception; and the pieces behave as documented."""

import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.oncall.pagerduty.plugins.module_utils import client as pd
from ansible_collections.oncall.pagerduty.plugins.module_utils.answers import (
    Listing, decoded, error_fields, json_or_text, text_of)
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import (
    PagerDutyAnswerError, PagerDutyAPIError, PagerDutyError)

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=300)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
    st.text(max_size=12), inner, max_size=5), max_leaves=25)
# Bodies shaped like PagerDuty's error answers, a proxy's problem document, or neither, with any types inside.
ERROR_BODIES = JSON | st.fixed_dictionaries({"error": JSON}) | st.fixed_dictionaries(
    {"error": st.fixed_dictionaries({}, optional={"code": JSON, "message": JSON, "errors": JSON})}) | \
    st.fixed_dictionaries({}, optional={"status": JSON, "title": JSON, "detail": JSON, "message": JSON,
                                        "errors": JSON})
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(ERROR_BODIES, st.sampled_from(["rest", "events"]), st.integers(min_value=400, max_value=599))
def test_an_error_answer_always_renders_as_one_line(body, api, status):
    code, message, errors = error_fields(body, api)
    assert code is None or isinstance(code, (int, str))
    assert message is None or isinstance(message, str)
    assert isinstance(errors, list) and all(isinstance(e, str) for e in errors)
    error = PagerDutyAPIError(status, "PUT", "https://api.pagerduty.com/incidents/P1", "/incidents/P1", code=code,
                              message=message, errors=errors, api=api, body=body)
    text = str(error)
    assert "\n" not in text and "PUT /incidents/P1" in text
    json.dumps(error.details())


@FAST
@given(JSON, JSON, JSON)
def test_the_error_class_itself_takes_any_types(code, message, errors):
    text = str(PagerDutyAPIError(500, "GET", "u", "/users", code=code, message=message, errors=errors))
    assert "\n" not in text and text.startswith("PagerDuty REST API error 500")


@FAST
@given(st.binary(max_size=400) | JSON.map(lambda v: json.dumps(v).encode()))
def test_decoding_any_bytes_gives_an_object_or_a_one_line_error(raw):
    try:
        value = decoded(raw, "GET /users", 200, "text/html")
    except PagerDutyAnswerError as error:
        assert "\n" not in str(error) and str(error).startswith("Unusable answer to GET /users: the 200 answer")
    else:
        assert isinstance(value, (dict, list))
    json_or_text(raw)


@FAST
@given(st.lists(JSON | st.fixed_dictionaries({"users": JSON, "more": JSON}), min_size=1, max_size=4))
def test_a_listing_takes_any_pages_or_fails_in_one_line(pages):
    listing = Listing("GET /users", "users", 10000)
    try:
        for page in pages:
            if not listing.add(page):
                break
    except PagerDutyAnswerError as error:
        assert "\n" not in str(error) and str(error).startswith("Unusable answer to GET /users: ")
    assert all(isinstance(item, dict) for item in listing.items)


@FAST
@given(JSON)
def test_text_of_is_one_short_line(value):
    text = text_of(value)
    assert text is None or ("\n" not in text and len(text) <= 200)


class Answering(requests.adapters.BaseAdapter):
    """Answers every request with one status, content type and body."""

    def __init__(self, status, body, content_type="application/json", headers=None):
        super(Answering, self).__init__()
        self.answer = (status, body, content_type)
        self.headers = dict(headers or {})
        self.calls = 0

    def send(self, request, **kwargs):
        self.calls += 1
        response = requests.Response()
        response.status_code, response._content, content_type = self.answer
        response._content_consumed = True
        response.headers["Content-Type"] = content_type
        response.headers.update(self.headers)
        response.request, response.url = request, request.url
        return response

    def close(self):
        pass


def client_answering(status, body, content_type="application/json", headers=None):
    session = requests.Session()
    adapter = Answering(status, body, content_type, headers)
    session.mount("https://", adapter)
    return pd.PagerDutyClient(api_token="t", from_email="a@example.com", session=session, sleep=lambda s: None,
                              max_retry_wait=0), adapter


# Header values an answer may carry where the client reads numbers or a URL: numbers of every kind, words, and
# what is neither (nan, inf, a URL that is not one).
HEADER_VALUES = st.sampled_from(["nan", "inf", "-inf", "-1", "0", "1", "1e400", "0x10", "", " ", "soon",
                                 "Wed, 21 Oct 2015 07:28:00 GMT", "http://[evil/x", "https://elsewhere.example.com/",
                                 "//x", "\u00e9"]) | st.floats(allow_nan=True).map(str) | st.text(max_size=20)
HEADERS = st.fixed_dictionaries({}, optional={"ratelimit-remaining": HEADER_VALUES, "ratelimit-reset": HEADER_VALUES,
                                              "Retry-After": HEADER_VALUES, "Location": HEADER_VALUES})
# JSON nested beyond what a parser's recursion allows, at the top or under a key the client reads.
DEEP = st.integers(min_value=1000, max_value=60000).flatmap(lambda depth: st.sampled_from([
    "[" * depth + "]" * depth, '{"users": ' + "[" * depth + "]" * depth + ', "more": true}',
    '{"error": {"message": ' + "[" * depth + "]" * depth + "}}"])).map(lambda text: text.encode())


@FAST
@given(st.sampled_from([200, 201, 204, 302, 307, 400, 401, 404, 429, 500, 503]),
       st.binary(max_size=200) | ERROR_BODIES.map(lambda v: json.dumps(v).encode()) | DEEP,
       st.sampled_from(["application/json", "text/html", "text/plain", ""]), HEADERS)
def test_the_client_meets_any_answer_with_a_result_or_a_one_line_error(status, body, content_type, headers):
    client, adapter = client_answering(status, body, content_type, headers)
    for request in (lambda: client.get("/incidents/P1"), lambda: client.list_all("/users", "users"),
                    lambda: client.put("/incidents/P1", {"incident": {}}),
                    lambda: client.post("/incidents/P1/notes", {"note": {}}, confirm=lambda: None)):
        try:
            request()
        except PagerDutyError as error:
            assert "\n" not in str(error)


def test_a_redirect_is_not_followed_and_says_where_it_pointed():
    session = requests.Session()
    answered = []

    class Redirecting(Answering):
        def send(self, request, **kwargs):
            answered.append(request)
            response = super(Redirecting, self).send(request, **kwargs)
            response.headers["Location"] = "https://elsewhere.example.com/steal?token=1"
            return response
    session.mount("https://", Redirecting(302, b""))
    client = pd.PagerDutyClient(api_token="secret-token", session=session, max_retry_wait=0)
    with pytest.raises(PagerDutyAnswerError, match=r"^Unusable answer to GET /users: the answer is a 302 redirect to "
                                                   r"elsewhere\.example\.com, which is not followed"):
        client.get("/users")
    assert len(answered) == 1 and answered[0].url.startswith("https://api.pagerduty.com/")
