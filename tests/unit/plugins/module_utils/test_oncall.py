"""Who is on call: the query the module and the lookup share, what it sends and what each answer costs."""

import datetime

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.oncall import (
    OncallQuery, build_query, entry, users_of, who_is_on_call)
from ansible_collections.oncall.pagerduty.plugins.module_utils.resolver import Resolver
from unit.fakes import FakeClient, not_found

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
LINUS = {"id": "PLINUS1", "type": "user", "name": "Linus Ops", "email": "linus@example.com",
         "contact_methods": [{"type": "email_contact_method", "address": "linus.private@example.com"}]}
ONCALLS = [
    {"escalation_policy": {"id": "PEPCHK1", "summary": "Checkout Escalation"}, "escalation_level": 1, "user": LINUS,
     "schedule": {"id": "PSCHCHK", "summary": "Checkout Primary"}, "start": "2026-11-23T09:00:00Z",
     "end": "2026-11-30T09:00:00Z"},
    {"escalation_policy": {"id": "PEPCHK1", "summary": "Checkout Escalation"}, "escalation_level": 2,
     "user": {"id": "PMARGRT", "summary": "Margaret Oncall", "email": "margaret@example.com"}, "schedule": None,
     "start": None, "end": None},
    "junk",
]


class OncallClient(FakeClient):
    """Answers GET /oncalls by its filter parameters: ``by_policy`` maps a policy ID to its entries."""

    def __init__(self, answers=None, by_policy=None):
        super(OncallClient, self).__init__(answers or {})
        self.by_policy = by_policy if by_policy is not None else {"PEPCHK1": ONCALLS}

    def list_all(self, path, key, params=None, max_items=None, first=None):
        self.calls.append(("LIST", path, params))
        policies = params.get("escalation_policy_ids[]") or list(self.by_policy)
        return [e for p in policies for e in self.by_policy.get(p, [])], {"total": None, "truncated": False}


def ask(client, **query):
    return who_is_on_call(client, Resolver(client), OncallQuery(**query))


def test_an_id_costs_nothing_when_the_answer_names_it():
    client = OncallClient()
    entries = ask(client, escalation_policies=["PEPCHK1"], level=1)
    assert client.calls == [("LIST", "/oncalls", {"escalation_policy_ids[]": ["PEPCHK1"], "include[]": "users"})]
    assert entries == [{"user": {"id": "PLINUS1", "name": "Linus Ops", "email": "linus@example.com"},
                        "escalation_level": 1,
                        "escalation_policy": {"id": "PEPCHK1", "name": "Checkout Escalation"},
                        "schedule": {"id": "PSCHCHK", "name": "Checkout Primary"},
                        "start": "2026-11-23T09:00:00Z", "end": "2026-11-30T09:00:00Z"}]
    assert "linus.private" not in repr(ask(OncallClient(), escalation_policies=["PEPCHK1"])), "no contact address"


def test_a_name_costs_one_request_and_a_service_means_its_policy():
    client = OncallClient({"/escalation_policies": {"escalation_policies": [{"id": "PEPCHK1",
                                                                             "name": "Checkout Escalation"}]},
                           "/services": {"services": [{"id": "PSVCCHK", "name": "Checkout API",
                                                       "escalation_policy": {"id": "PEPCHK1"}}]}})
    ask(client, escalation_policies=["Checkout Escalation"])
    ask(client, services=["Checkout API"])
    assert [(c[0], c[1]) for c in client.calls] == [("GET", "/escalation_policies"), ("LIST", "/oncalls"),
                                                    ("GET", "/services"), ("LIST", "/oncalls")]
    assert client.calls[-1][2]["escalation_policy_ids[]"] == ["PEPCHK1"]


def test_an_id_the_answer_does_not_name_is_checked_once():
    client = OncallClient({"/users/PKENOBS": {"user": {"id": "PKENOBS", "name": "Ken"}},
                           "/escalation_policies/PEPPLT1": {"escalation_policy": {"id": "PEPPLT1"}}})
    assert ask(client, users=["PKENOBS"], escalation_policies=["PEPPLT1"]) == [], "nobody: not an error"
    assert [(c[0], c[1]) for c in client.calls] == [("LIST", "/oncalls"), ("GET", "/escalation_policies/PEPPLT1"),
                                                    ("GET", "/users/PKENOBS")]
    missing = OncallClient({"/escalation_policies/PEPNONE": not_found("/escalation_policies/PEPNONE"),
                            "/escalation_policies": {"escalation_policies": []}})
    with pytest.raises(PagerDutyInputError, match="^escalation_policies: no escalation policy has the ID or name"):
        ask(missing, escalation_policies=["PEPNONE"])


def test_a_name_shaped_like_an_id_is_listed_again_by_its_real_id():
    client = OncallClient({"/escalation_policies/PLATFORMOPS": not_found("/escalation_policies/PLATFORMOPS"),
                           "/escalation_policies": {"escalation_policies": [{"id": "PEPCHK1",
                                                                             "name": "PLATFORMOPS"}]}})
    entries = ask(client, escalation_policies=["PLATFORMOPS"])
    assert [c[0] for c in client.calls] == ["LIST", "GET", "GET", "LIST"]
    assert client.calls[-1][2]["escalation_policy_ids[]"] == ["PEPCHK1"] and len(entries) == 2


def test_times_are_sent_in_utc_and_a_moment_is_a_range_of_nothing():
    client = OncallClient()
    query = build_query({"escalation_policies": ["PEPCHK1"]}, at="2026-11-24T08:00:00+01:00", now=NOW)
    who_is_on_call(client, Resolver(client), query)
    assert (client.calls[0][2]["since"], client.calls[0][2]["until"]) == ("2026-11-24T07:00:00Z",
                                                                          "2026-11-24T07:00:00Z")
    now = build_query({"users": ["PLINUS1"]}, at="now", now=NOW)
    assert (now.since, now.until) == (None, None), "now is PagerDuty's now"


@pytest.mark.parametrize("options, message", [
    ({"level": 0}, "escalation_level must be 1 or more, got 0"),
    ({"at": "2027-06-01T00:00:00Z"}, "at: PagerDuty computes on-calls at most 90 days ahead"),
    ({"since": "2026-11-24T00:00:00Z"}, "since and until go together"),
    ({"since": "2026-11-25T00:00:00Z", "until": "2026-11-24T00:00:00Z"}, "until must not be before since"),
    ({"at": "now", "since": "2026-11-24T00:00:00Z"}, "at is one moment, since and until a range"),
    ({"at": "yesterday"}, "at must be now or an ISO 8601 date and time"),
])
def test_bad_queries_are_refused_before_any_request(options, message):
    with pytest.raises(PagerDutyInputError) as refused:
        build_query({"escalation_policies": ["PEPCHK1"]}, now=NOW, **options)
    assert str(refused.value).startswith(message)


def test_entries_of_odd_answers_and_users_once_each():
    odd = entry({"user": "PX", "escalation_policy": None, "schedule": ["x"]})
    assert odd == {"user": {"id": None, "name": None, "email": None}, "escalation_level": None,
                   "escalation_policy": None, "schedule": None, "start": None, "end": None}
    entries = ask(OncallClient(), escalation_policies=["PEPCHK1"]) * 2
    assert [u["id"] for u in users_of(entries)] == ["PLINUS1", "PMARGRT"]


def test_the_key_of_a_query_names_the_question():
    one = build_query({"escalation_policies": ["PEPCHK1"], "users": ["a@example.com"]}, level=1, now=NOW)
    same = build_query({"users": ["a@example.com"], "escalation_policies": ["PEPCHK1", "PEPCHK1"]}, level=1, now=NOW)
    assert one.key() == same.key() != build_query({"escalation_policies": ["PEPCHK1"]}, level=2, now=NOW).key()
