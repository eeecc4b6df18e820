"""The pure parts of pd_user and pd_user_info: role names, input checks, what is hidden, team plans."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils.resolver import Resolver
from ansible_collections.oncall.pagerduty.plugins.modules import pd_user, pd_user_info
from unit.fakes import FakeClient, not_found

API_ROLES = ["admin", "limited_user", "observer", "owner", "read_only_user", "restricted_access",
             "read_only_limited_user", "user"]


@pytest.mark.parametrize("role", API_ROLES)
def test_api_role_names_map_to_themselves_in_any_case(role):
    assert pd_user.canonical_role(role) == role
    assert pd_user.canonical_role(role.upper()) == role
    assert pd_user.canonical_role(" %s " % role.replace("_", " ").title()) == role


@pytest.mark.parametrize("given, role", [
    ("Global Admin", "admin"), ("global admin", "admin"), ("Admin", "admin"),
    ("Manager", "user"), ("MANAGER", "user"),
    ("Responder", "limited_user"),
    ("Observer", "observer"),
    ("Account Owner", "owner"), ("Owner", "owner"),
    ("Full Stakeholder", "read_only_user"), ("Stakeholder", "read_only_user"), ("full-stakeholder", "read_only_user"),
    ("Limited Stakeholder", "read_only_limited_user"),
    ("Restricted Access", "restricted_access"), ("restricted_access", "restricted_access"),
])
def test_web_app_role_names(given, role):
    assert pd_user.canonical_role(given) == role


@pytest.mark.parametrize("given", ["boss", "", "super admin", "limited", "stake holder", None])
def test_unknown_roles(given):
    assert pd_user.canonical_role(given) is None


def test_role_error_is_one_line_naming_the_option_and_the_choices():
    message = pd_user.role_error("boss")
    assert message.startswith("role must be one of admin, limited_user,") and message.endswith("got 'boss'")
    assert "Responder" in message and "Full Stakeholder" in message and "\n" not in message


@pytest.mark.parametrize("email, ok", [
    ("jane@example.com", True), ("Jane.Doe+ops@sub.example.co.uk", True),
    ("jane.example.com", False), ("jane@localhost", False), ("a@b.c", False), ("jane doe@example.com", False),
    ("x" * 90 + "@example.com", False), ("", False),
])
def test_email_check(email, ok):
    problem = pd_user.check_email(email)
    assert (problem is None) == ok
    if problem:
        assert problem.startswith("email must be an email address")


USER = {
    "id": "PXPGF42", "type": "user", "name": "Jane", "email": "jane@example.com",
    "http_cal_url": "https://example.pagerduty.com/private/secret/feed",
    "web_cal_url": "webcal://example.pagerduty.com/private/secret/feed",
    "contact_methods": [
        {"id": "P1", "type": "email_contact_method", "label": "Work", "address": "jane@example.com"},
        {"id": "P2", "type": "push_notification_contact_method", "label": "Phone", "address": "device-token"},
        {"id": "P3", "type": "phone_contact_method_reference", "summary": "Mobile"},
    ],
    "notification_rules": [{"id": "P4", "type": "assignment_notification_rule",
                            "contact_method": {"id": "P2", "type": "sms_contact_method", "address": "+15555550100"}}],
}


@pytest.mark.parametrize("module", [pd_user, pd_user_info], ids=["pd_user", "pd_user_info"])
def test_calendar_urls_and_contact_addresses_are_never_returned(module):
    clean = module.sanitized(USER)
    text = repr(clean)
    assert "cal_url" not in text and "secret" not in text
    assert "device-token" not in text and "+15555550100" not in text
    assert clean["email"] == "jane@example.com", "the user's own login stays"
    assert clean["contact_methods"][0] == {"id": "P1", "type": "email_contact_method", "label": "Work"}
    assert clean["contact_methods"][2] == USER["contact_methods"][2]
    assert "address" in USER["contact_methods"][0], "the input is not changed"


def refs(*pairs):
    return [{"id": i, "type": "team_reference", "summary": n} for i, n in pairs]


def test_team_plans():
    current = refs(("PT1", "Checkout"), ("PT2", "Platform"))
    assert pd_user.plan_teams(current, [("PT1", "Checkout")], "merge") == ([], [])
    assert pd_user.plan_teams(current, [("PT1", "Checkout")], "exact") == ([], [("PT2", "Platform")])
    assert pd_user.plan_teams(current, [("PT3", "Data")], "merge") == ([("PT3", "Data")], [])
    assert pd_user.plan_teams(current, [], "exact") == ([], [("PT1", "Checkout"), ("PT2", "Platform")])
    assert pd_user.plan_teams([], [("PT3", "Data")], "exact") == ([("PT3", "Data")], [])


def test_incident_list_is_bounded():
    incidents = [{"id": "PI%d" % n, "incident_number": n, "title": "t%d" % n} for n in range(1, 14)]
    text = pd_user.incidents_text(incidents)
    assert text.startswith("#1 t1 (PI1), #2 t2 (PI2)") and text.endswith("#10 t10 (PI10), and 3 more")


# -- teams: asked about only when the user is not on them already, through the resolver --------------------

def test_teams_known_to_the_user_cost_no_request():
    client = FakeClient({})
    teams = pd_user.Teams(Resolver(client), refs(("PTCHKOT", "Checkout"), ("PTPLATF", "Platform")))
    assert teams.resolve(["Checkout", "PTPLATF", "Checkout"]) == [("PTCHKOT", "Checkout"), ("PTPLATF", "Platform")]
    assert client.calls == []


def test_a_name_in_another_case_is_asked_about_since_another_team_may_match_it_exactly():
    client = FakeClient({"/teams": {"teams": [{"id": "PT1", "name": "checkout"}, {"id": "PT2", "name": "Checkout"}]}})
    teams = pd_user.Teams(Resolver(client), refs(("PT2", "Checkout")))
    assert teams.resolve(["checkout"]) == [("PT1", "checkout")]
    assert [(c[0], c[1]) for c in client.calls] == [("GET", "/teams")]


def test_new_teams_by_id_and_by_name():
    client = FakeClient({
        "/teams/PTDATA1": {"team": {"id": "PTDATA1", "name": "Data"}},
        "/teams/PLATFORMS": not_found("/teams/PLATFORMS"),
        "/teams": {"teams": [{"id": "PTPLAT2", "name": "PLATFORMS"}, {"id": "PTPLAT3", "name": "Platforms EU"}]},
    })
    teams = pd_user.Teams(Resolver(client), [])
    # PLATFORMS looks like an ID; when no team has that ID it is taken as a name
    assert teams.resolve(["PTDATA1", "PLATFORMS"]) == [("PTDATA1", "Data"), ("PTPLAT2", "PLATFORMS")]
    asked = [(c[0], c[1]) for c in client.calls]
    assert asked == [("GET", "/teams/PTDATA1"), ("GET", "/teams/PLATFORMS"), ("GET", "/teams")]


def test_several_team_names_are_resolved_from_one_listing():
    client = FakeClient({}, {"/teams": [{"id": "PT1", "name": "Checkout"}, {"id": "PT2", "name": "Platform"},
                                        {"id": "PT3", "name": "platform"}]})
    teams = pd_user.Teams(Resolver(client), [])
    assert teams.resolve(["CHECKOUT", "platform"]) == [("PT1", "Checkout"), ("PT3", "platform")]
    assert [c[0] for c in client.calls] == ["LIST"]
    with pytest.raises(PagerDutyError, match=r"^teams: 'platFORM' matches 2 teams without regard to case: "
                                             r"Platform \(PT2\), platform \(PT3\); use the ID$"):
        pd_user.Teams(Resolver(client), []).resolve(["Checkout", "platFORM"])
    with pytest.raises(PagerDutyError, match="^teams: no team is named 'Nope'$"):
        pd_user.Teams(Resolver(client), []).resolve(["Checkout", "Nope"])


# -- IDs and names, as pd_user_info and the incident modules use them ----------------------------------------
