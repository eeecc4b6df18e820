"""pd_user_info against the simulator: one user, filtered listings, all pages in order, the 10,000 cap."""

import json
import os

import pytest

from pd_harness import REPO

ADMIN_ENV = {"PAGERDUTY_API_TOKEN": "pdsim-admin-token"}


def info(ansible, args, expect_rc=0, check=False):
    return ansible.adhoc("oncall.pagerduty.pd_user_info", args, env=ADMIN_ENV, expect_rc=expect_rc,
                         check=check).result()


def pages(sim):
    return [r for r in sim.requests() if r["method"] == "GET" and r["path"] == "/users"]


def every_user_in_order(sim):
    """The simulator's own listing, read one page after another with PagerDuty's parameters."""
    ids, offset = [], 0
    while True:
        page = sim.rest("GET", "/users?limit=100&offset=%d" % offset)
        ids += [u["id"] for u in page["users"]]
        if not page["more"]:
            return ids
        offset += 100


@pytest.fixture
def scaled(sim):
    """A larger account for one test; the default one again afterwards."""
    def grow(total):
        sim.reset(extra_users=total - 5)         # the default seed has 5 users
    yield grow
    sim.reset(extra_users=0)


def test_lookup_by_email_is_one_request(ansible, sim):
    result = info(ansible, "email=GRACE@example.com")
    assert result["changed"] is False
    assert result["user"]["id"] == "PGRACE1" and [u["id"] for u in result["users"]] == ["PGRACE1"]
    log = sim.requests()
    assert len(log) == 1
    assert (log[0]["method"], log[0]["path"], log[0]["query"]["query"]) == ("GET", "/users", ["GRACE@example.com"])


def test_lookup_by_id_with_includes(ansible, sim):
    result = info(ansible, "user_id=PMARGRT include=teams,contact_methods,notification_rules")
    user = result["user"]
    assert sorted(t["name"] for t in user["teams"]) == ["Checkout", "Platform"]
    assert user["teams"][0]["type"] == "team", "teams come in full"
    assert user["contact_methods"][0]["type"] == "email_contact_method"
    assert "address" not in user["contact_methods"][0], "contact-method addresses are never returned"
    assert "address" not in json.dumps(user["notification_rules"])
    log = sim.requests()
    assert len(log) == 1 and log[0]["path"] == "/users/PMARGRT"
    assert sorted(log[0]["query"]["include[]"]) == ["contact_methods", "notification_rules", "teams"]


def test_calendar_urls_are_stripped(ansible, sim):
    # PagerDuty shows the token's own user (Ada) the private calendar feeds: the module must not pass them on
    raw = sim.rest("GET", "/users/PADMIN1")["user"]
    assert raw["http_cal_url"] and raw["web_cal_url"]
    run = ansible.adhoc("oncall.pagerduty.pd_user_info", "user_id=PADMIN1", env=ADMIN_ENV)
    assert run.result()["user"]["id"] == "PADMIN1"
    assert "cal_url" not in run.output and "calendarsecret" not in run.output


def test_listing_2500_users_in_order_with_at_most_25_pages(ansible, sim, scaled):
    scaled(2500)
    expected = every_user_in_order(sim)
    sim.call("DELETE", "/_sim/requests")
    result = info(ansible, "")
    assert [u["id"] for u in result["users"]] == expected
    assert len(expected) == 2500 and len(set(expected)) == 2500
    assert result["total"] == 2500 and result["truncated"] is False
    fetched = pages(sim)
    assert len(fetched) == 25 and len(sim.requests()) == 25
    assert sorted(int(r["query"]["offset"][0]) for r in fetched) == list(range(0, 2500, 100))
    assert all(r["query"]["limit"] == ["100"] and r["status"] == 200 for r in fetched)
    assert fetched[0]["query"]["total"] == ["true"]


def test_the_10000_cap_truncates_and_warns(ansible, sim, scaled, tmp_path):
    scaled(10500)
    result_file = tmp_path / "listed.json"
    ansible.playbook("pd_user_info/list_all.yml", {"result_file": str(result_file), "expected_count": 10000,
                                                   "expected_total": 10500})
    listed = json.loads(result_file.read_text())
    assert listed["warnings"] == ["PagerDuty lists at most 10,000 results: 10000 of 10500 users are returned; "
                                  "narrow the listing with query or team_ids"]
    ids = listed["ids"]
    assert len(set(ids)) == 10000
    fetched = pages(sim)
    assert len(fetched) == 100, "10,000 users in 100 pages, none past PagerDuty's limit"
    assert max(int(r["query"]["offset"][0]) for r in fetched) == 9900
    assert all(r["status"] == 200 for r in fetched)
    first, last = sim.rest("GET", "/users?limit=1&offset=0")["users"][0], \
        sim.rest("GET", "/users?limit=1&offset=9999")["users"][0]
    assert (ids[0], ids[-1]) == (first["id"], last["id"])


def test_query_matches_name_and_email(ansible, sim):
    assert [u["name"] for u in info(ansible, "query=ops")["users"]] == ["Linus Ops"]
    assert [u["id"] for u in info(ansible, "query=margaret@")["users"]] == ["PMARGRT"]
    assert info(ansible, "query=nobody-like-this")["users"] == []


def test_team_filter_takes_ids_and_names_comma_separated(ansible, sim):
    result = info(ansible, "team_ids=PTCHKOT,Platform")
    assert [u["name"] for u in result["users"]] == ["Grace Hopper", "Ken Observer", "Linus Ops", "Margaret Oncall"]
    listing = pages(sim)[-1]
    assert listing["query"]["team_ids[]"] == ["PTCHKOT", "PTPLATF"]
    assert [r["path"] for r in sim.requests()] == ["/teams/PTCHKOT", "/teams", "/users"], \
        "one request for the ID, one for the name, one page"


def test_check_mode_is_supported_and_reads_only(ansible, sim):
    result = info(ansible, "query=example.com", check=True)
    assert result["changed"] is False and len(result["users"]) == 5
    assert sim.writes() == []


@pytest.mark.parametrize("args, message, requests", [
    ("user_id=PNOPE00", "user_id: no PagerDuty user has the ID PNOPE00", 1),
    ("email=nobody@example.com", "email: no PagerDuty user has the address nobody@example.com", 1),
    ("email=nobody", "email must be an email address such as jane@example.com, got 'nobody'", 0),
    ("team_ids=PNOTEAM", "team_ids: no team has the ID or name 'PNOTEAM'", 2),
    ("team_ids=PTCHKOT,PNOTEAM", "team_ids: no team has the ID or name 'PNOTEAM'", 3),
    ("team_ids=Nope", "team_ids: no team is named 'Nope'", 1),
    ("user_id=PGRACE1 query=x", "parameters are mutually exclusive: user_id|email|query", 0),
    ("include=everything", "value of include must be one or more of: contact_methods, notification_rules, teams. "
                           "Got no match for: everything", 0),
], ids=["user-id", "email", "bad-email", "team-id", "known-and-unknown-team-ids", "team-name", "exclusive",
        "include"])
def test_clear_errors(ansible, sim, args, message, requests):
    run = ansible.adhoc("oncall.pagerduty.pd_user_info", args, env=ADMIN_ENV, expect_rc=2)
    result = run.result()
    assert result["msg"].startswith(message), result["msg"]
    assert "\n" not in result["msg"] and "Traceback" not in run.output
    assert len(sim.requests()) == requests


def test_include_asks_for_each_once(ansible, sim):
    info(ansible, "query=grace include=teams,teams,contact_methods,teams")
    assert pages(sim)[0]["query"]["include[]"] == ["teams", "contact_methods"]


# -- names that look like IDs (the resolution every module shares) ----------------------------------------------

def reset_with(sim, teams=(), escalation_policies=()):
    """The default account plus these teams and escalation policies (seed entries)."""
    with open(os.path.join(REPO, "tests", "pdsim", "seeds", "default.json")) as handle:
        seed = json.load(handle)
    seed["teams"] += list(teams)
    seed["escalation_policies"] += list(escalation_policies)
    sim.reset(seed=seed)


def test_a_team_named_like_an_id_is_found_by_name(ansible, sim):
    reset_with(sim, teams=[{"id": "PTPOPS1", "name": "PLATFORMOPS", "members": [{"user": "grace@example.com"}]}])
    result = info(ansible, "team_ids=PLATFORMOPS")
    assert [u["id"] for u in result["users"]] == ["PGRACE1"]
    assert [(r["path"], r["status"]) for r in sim.requests()] == [
        ("/teams/PLATFORMOPS", 404), ("/teams", 200), ("/users", 200)]
    assert pages(sim)[0]["query"]["team_ids[]"] == ["PTPOPS1"]


def test_a_team_id_that_exists_costs_one_request(ansible, sim):
    result = info(ansible, "team_ids=PTPLATF")
    assert [u["id"] for u in result["users"]] == ["PKENOBS", "PMARGRT"]
    assert [r["path"] for r in sim.requests()] == ["/teams/PTPLATF", "/users"]


def test_a_team_name_past_the_first_page_of_the_search(ansible, sim):
    # 120 teams contain "Ops" and sort before the team named exactly "Ops": it is on the second page
    others = [{"name": "A Ops %03d" % n} for n in range(120)]
    reset_with(sim, teams=others + [{"id": "PTOPS01", "name": "Ops", "members": [{"user": "linus@example.com"}]}])
    result = info(ansible, "team_ids=Ops")
    assert [u["id"] for u in result["users"]] == ["PLINUS1"]
    searches = [r for r in sim.requests() if r["path"] == "/teams"]
    assert [r["query"].get("offset", ["0"]) for r in searches] == [["0"], ["100"]], "the first page is read once"
    assert all(r["query"]["query"] == ["Ops"] for r in searches)


def test_an_escalation_policy_named_like_an_id_is_found_by_name(ansible, sim):
    reset_with(sim, escalation_policies=[{"id": "PEPPOST", "name": "POSTMORTEM",
                                          "rules": [{"targets": ["grace@example.com"]}]}])
    incident = sim.create_incident()
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_incident_responder",
                           "incident_id=%s escalation_policies=POSTMORTEM" % incident["id"], rest=True).result()
    assert result["requested"] == ["escalation_policy:PEPPOST"]
    lookups = [(r["path"], r["status"]) for r in sim.requests(since=mark) if r["path"].startswith("/escalation")]
    assert lookups == [("/escalation_policies/POSTMORTEM", 404), ("/escalation_policies", 200)]
    mark = sim.mark()
    ansible.adhoc("oncall.pagerduty.pd_incident_responder", "incident_id=%s escalation_policies=PEPPLT1"
                  % incident["id"], rest=True)
    lookups = [r["path"] for r in sim.requests(since=mark) if r["path"].startswith("/escalation")]
    assert lookups == ["/escalation_policies/PEPPLT1"], "an ID that exists costs one request"


def test_fields_keep_only_the_attributes_asked_for_and_the_id(ansible, sim):
    listed = info(ansible, "fields=email")
    assert listed["users"][:2] == [{"id": "PADMIN1", "email": "admin@example.com"},
                                   {"id": "PGRACE1", "email": "grace@example.com"}]
    assert all(sorted(u) == ["email", "id"] for u in listed["users"]) and listed["total"] == 5
    one = info(ansible, "user_id=PMARGRT include=contact_methods fields=name,contact_methods,web_cal_url")
    assert sorted(one["user"]) == ["contact_methods", "id", "name"] and one["users"] == [one["user"]]
    assert "address" not in json.dumps(one["user"]), "what is kept is still stripped of addresses"
    run = ansible.adhoc("oncall.pagerduty.pd_user_info", "email=grace@example.com fields=emial", env=ADMIN_ENV)
    assert run.result()["user"] == {"id": "PGRACE1"}
    assert "fields: no user returned has the attribute 'emial'" in run.output
