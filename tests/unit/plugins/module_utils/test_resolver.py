"""Unit tests of the shared resolver: IDs, names and emails to PagerDuty objects, and what each costs."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils.resolver import Resolver
from unit.fakes import FakeClient, not_found


def test_email_lookup_is_one_search_with_an_exact_match():
    client = FakeClient({"/users": {"users": [{"id": "P1", "email": "ann.jane@example.com"},
                                              {"id": "P2", "email": "Jane@Example.com"}], "more": False}})
    assert Resolver(client).find_user_by_email(" jane@example.com ")[0]["id"] == "P2"
    assert client.calls == [("GET", "/users", {"query": "jane@example.com", "limit": 100})]


def test_email_lookup_reads_on_when_more_than_a_page_contains_the_address():
    page = {"users": [{"id": "P%d" % n, "email": "x%djo@example.com" % n} for n in range(100)], "more": True}
    everyone = page["users"] + [{"id": "PTARGET", "email": "jo@example.com"}]
    client = FakeClient({"/users": page}, {"/users": everyone})
    assert Resolver(client).find_user_by_email("jo@example.com")[0]["id"] == "PTARGET"
    assert [c[0] for c in client.calls] == ["GET", "LIST"]
    assert client.calls[1][2]["first"] is page, "the listing goes on from the page already read"
    client = FakeClient({"/users": dict(page, more=False)})
    assert Resolver(client).find_user_by_email("jo@example.com")[0] is None and len(client.calls) == 1


def test_an_id_that_exists_costs_one_request():
    client = FakeClient({"/escalation_policies/PEPCHK1": {"escalation_policy": {"id": "PEPCHK1", "name": "Checkout"}}})
    assert Resolver(client).escalation_policy_id("PEPCHK1") == "PEPCHK1"
    assert client.calls == [("GET", "/escalation_policies/PEPCHK1", None)]


@pytest.mark.parametrize("resolve, path, key", [
    (Resolver.service_id, "/services", "services"),
    (lambda resolver, value: resolver.team_ids([value])[0], "/teams", "teams"),
    (Resolver.escalation_policy_id, "/escalation_policies", "escalation_policies"),
    (Resolver.workflow_id, "/incident_workflows", "incident_workflows"),
])
def test_a_name_that_looks_like_an_id_is_found_by_name(resolve, path, key):
    client = FakeClient({path + "/PAYMENTS": not_found(path + "/PAYMENTS"),
                         path: {key: [{"id": "PX1", "name": "PAYMENTS EU"}, {"id": "PX2", "name": "PAYMENTS"}]}})
    assert resolve(Resolver(client), "PAYMENTS") == "PX2"
    assert client.calls == [("GET", path + "/PAYMENTS", None), ("GET", path, {"query": "PAYMENTS", "limit": 100})]


def test_a_plain_name_is_one_query_and_an_exact_match_wins_over_one_in_another_case():
    client = FakeClient({"/services": {"services": [{"id": "PS1", "name": "checkout api"},
                                                    {"id": "PS2", "name": "Checkout API"}]}})
    resolver = Resolver(client)
    assert resolver.service_id("Checkout API") == "PS2"
    assert resolver.service_id("checkout api") == "PS1"
    assert len(client.calls) == 2 and all(c[1] == "/services" for c in client.calls)
    with pytest.raises(PagerDutyError, match=r"^services: 'CHECKOUT API' matches 2 services without regard to "
                                             r"case: checkout api \(PS1\), Checkout API \(PS2\); use the ID$"):
        resolver.service_id("CHECKOUT API", "services")


def test_unknown_ids_and_names_fail_in_one_line_naming_the_option():
    client = FakeClient({"/teams/PNOTEAM": not_found("/teams/PNOTEAM"),
                         "/teams": {"teams": [{"id": "PT1", "name": "Platform"}]}})
    resolver = Resolver(client)
    with pytest.raises(PagerDutyError, match="^team_ids: no team has the ID or name 'PNOTEAM'$"):
        resolver.teams(["PNOTEAM"], "team_ids")
    with pytest.raises(PagerDutyError, match=r"^teams: no team is named 'Plat'; found: Platform \(PT1\)$"):
        resolver.team_ids(["Plat"])


def test_the_second_page_of_a_search_goes_on_from_the_first():
    first = {"teams": [{"id": "PT%d" % n, "name": "Ops %d" % n} for n in range(100)], "more": True}
    client = FakeClient({"/teams": first}, {"/teams": first["teams"] + [{"id": "PTOPS", "name": "Ops"}]})
    assert Resolver(client).team_ids(["Ops"]) == ["PTOPS"]
    assert [c[0] for c in client.calls] == ["GET", "LIST"]
    assert client.calls[1][2] == {"query": "Ops", "first": first}


def test_schedules_policies_and_users_by_the_lists_the_new_modules_give():
    client = FakeClient({
        "/schedules": {"schedules": [{"id": "PSCHCHK", "name": "Checkout Primary"}]},
        "/escalation_policies/PEPCHK1": {"escalation_policy": {"id": "PEPCHK1", "name": "Checkout"}},
        "/users": {"users": [{"id": "PGRACE1", "email": "grace@example.com", "name": "Grace Hopper"}]},
        "/services/PSVCCHK": {"service": {"id": "PSVCCHK", "name": "Checkout API",
                                          "escalation_policy": {"id": "PEPCHK1"}}}})
    resolver = Resolver(client)
    assert resolver.schedule("Checkout Primary")["id"] == "PSCHCHK"
    assert resolver.schedule_ids(["Checkout Primary", "Checkout Primary"]) == ["PSCHCHK"]
    assert resolver.escalation_policy_ids(["PEPCHK1", "PEPCHK1"]) == ["PEPCHK1"]
    assert resolver.user_ids(["grace@example.com", "PGRACE1", "PLINUS1"]) == ["PGRACE1", "PLINUS1"]
    assert [s["escalation_policy"]["id"] for s in resolver.services(["PSVCCHK", "PSVCCHK"])] == ["PEPCHK1"]
    assert [c[1] for c in client.calls] == ["/schedules", "/escalation_policies/PEPCHK1", "/users",
                                            "/services/PSVCCHK"], "each value resolved once"
