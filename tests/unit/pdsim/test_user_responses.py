"""The simulator's user and team-membership answers have the shapes PagerDuty documents for them."""

import pytest


@pytest.fixture
def check(contract, call):
    def check(method, target, body=None, expect=None, sender="admin@example.com"):
        status, answer, unused = call(method, target, body, sender=sender)
        assert status == expect, answer
        operation = contract.match("rest", method, target.split("?")[0])
        problems = operation.response_errors(status, answer)
        assert problems == [], "%s %s -> %s: %s" % (method, target, status, problems)
        return answer
    return check


def test_user_answers(check):
    listed = check("GET", "/users?query=example.com&team_ids[]=PTCHKOT&total=true&limit=2", expect=200)
    assert listed["total"] == 3 and listed["more"] is True and len(listed["users"]) == 2
    check("GET", "/users/PADMIN1", expect=200)       # with the calendar URLs of the token's own user
    check("GET", "/users/PLINUS1?include[]=calendar_urls", expect=200)
    created = check("POST", "/users", {"user": {"type": "user", "name": "Jane Doe", "email": "jane@example.com",
                                                "role": "limited_user", "job_title": "SRE",
                                                "time_zone": "Europe/Berlin", "color": "green",
                                                "description": "on call"}}, expect=201)["user"]
    assert created["role"] == "limited_user" and created["invitation_sent"] is True
    check("PUT", "/users/%s" % created["id"], {"user": {"type": "user", "name": "Jane Doe",
                                                        "email": "jane@example.com", "role": "user"}}, expect=200)
    check("PUT", "/teams/PTCHKOT/users/%s" % created["id"], None, expect=204)
    check("PUT", "/teams/PTPLATF/users/%s" % created["id"], {"role": "observer"}, expect=204)
    check("DELETE", "/teams/PTPLATF/users/%s" % created["id"], expect=204)
    check("DELETE", "/users/%s" % created["id"], expect=204)
    check("GET", "/teams?query=Check", expect=200)
    check("GET", "/teams/PTCHKOT", expect=200)


def test_user_error_answers(check, sim):
    check("GET", "/users/PNOPE00", expect=404)
    check("PUT", "/users/PNOPE00", {"user": {"type": "user", "name": "N", "email": "n@example.com"}}, expect=404)
    check("DELETE", "/users/PNOPE00", expect=404)
    check("PUT", "/teams/PNOTEAM/users/PLINUS1", expect=404)
    check("POST", "/users", {"user": {"type": "user", "name": "Two", "email": "two@example.com", "role": "owner"}},
          expect=400)
    check("POST", "/users", {"user": {"type": "user", "name": "Dup", "email": "GRACE@example.com"}}, expect=400)
    sim.account.abilities.discard("read_only_users")
    body = check("POST", "/users", {"user": {"type": "user", "name": "RO", "email": "ro@example.com",
                                             "role": "read_only_user"}}, expect=402)
    assert body["error"]["code"] == 2014


def test_team_answers_without_the_teams_ability(check, sim):
    sim.account.abilities.discard("teams")
    for method, target in (("GET", "/teams"), ("GET", "/teams?query=Check"), ("GET", "/teams/PTCHKOT"),
                           ("PUT", "/teams/PTCHKOT/users/PLINUS1"), ("DELETE", "/teams/PTCHKOT/users/PLINUS1")):
        body = check(method, target, expect=402)
        assert body["error"]["code"] == 2014, (method, target)
