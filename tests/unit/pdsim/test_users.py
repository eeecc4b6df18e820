"""The simulator's user and team-membership rules, in the model and over its HTTP layer."""

import pytest


from pdsim.errors import ArgumentsCausedError, InvalidInput, NotFound, PaymentRequired
from pdsim.model import Account, load_seed

KEY = "pdsimroutingkeycheckoutapi000001"


@pytest.fixture
def account():
    return Account(load_seed())


def names(users):
    return [u["name"] for u in users]


# -- the model ----------------------------------------------------------------------------------
def test_email_lookup_follows_creates_updates_and_deletes(account):
    user = account.directory.add_user({"name": "Jane", "email": "Jane@Example.com"})
    assert account.directory.user_by_email("jane@example.COM")["id"] == user["id"]
    account.directory.update_user(user["id"], {"email": "jane.doe@example.com"})
    assert account.directory.user_by_email("jane@example.com") is None
    assert account.directory.user_by_email("JANE.DOE@example.com")["id"] == user["id"]
    with pytest.raises(ArgumentsCausedError, match="Email has already been taken"):
        account.directory.add_user({"name": "Other", "email": "jane.doe@EXAMPLE.com"})
    account.directory.delete_user(user["id"])
    assert account.directory.user_by_email("jane.doe@example.com") is None
    assert account.directory.add_user({"name": "Jane again", "email": "jane.doe@example.com"})["name"] == "Jane again"


def test_field_rules(account):
    with pytest.raises(ArgumentsCausedError, match="Name can't be blank; Email can't be blank"):
        account.directory.add_user({})
    with pytest.raises(ArgumentsCausedError) as raised:
        account.directory.add_user({"name": "n" * 101, "email": "x@y.z", "job_title": "t" * 101, "color": "plaid",
                                    "time_zone": "Mars/Olympus", "role": "boss"})
    assert raised.value.errors == ["Email is invalid", "Job title is too long (maximum is 100 characters)",
                                   "Name is too long (maximum is 100 characters)", "Role is invalid",
                                   "Color is invalid", "Time zone is invalid"]
    user = account.directory.add_user({"name": "Tz", "email": "tz@example.com", "time_zone": "Asia/Tokyo"})
    assert user["time_zone"] == "Asia/Tokyo" and user["role"] == "user"
    assert account.directory.add_user({"name": "Default", "email": "default@example.com"})["time_zone"] == "Etc/UTC"


def test_owner_rules(account):
    with pytest.raises(ArgumentsCausedError, match="Role cannot be owner"):
        account.directory.add_user({"name": "Two", "email": "two@example.com", "role": "owner"})
    with pytest.raises(ArgumentsCausedError, match="Role cannot be changed to owner"):
        account.directory.update_user("PLINUS1", {"role": "owner"})
    with pytest.raises(ArgumentsCausedError, match="owner's role cannot be changed"):
        account.directory.update_user("PADMIN1", {"role": "admin"})
    with pytest.raises(ArgumentsCausedError, match="owner cannot be deleted"):
        account.directory.delete_user("PADMIN1")
    account.directory.update_user("PADMIN1", {"role": "owner", "job_title": "CEO"})
    assert account.directory.users.get("PADMIN1")["job_title"] == "CEO"


@pytest.mark.parametrize("role, ability", [
    ("read_only_user", "read_only_users"), ("read_only_limited_user", "read_only_users"),
    ("observer", "advanced_permissions"), ("restricted_access", "advanced_permissions"),
])
def test_some_roles_need_an_ability(account, role, ability):
    assert account.directory.add_user({"name": "With", "email": "with@example.com", "role": role})["role"] == role
    account.abilities.discard(ability)
    with pytest.raises(PaymentRequired, match=ability):
        account.directory.add_user({"name": "Without", "email": "without@example.com", "role": role})
    with pytest.raises(PaymentRequired, match=ability):
        account.directory.update_user("PLINUS1", {"role": role})
    assert account.directory.users.get("PLINUS1")["role"] == "user"
    assert account.directory.add_user({"name": "Plain", "email": "plain@example.com", "role": "limited_user"})


def test_search_by_name_or_email_in_name_order(account):
    assert names(account.directory.search_users()) == ["Ada Admin", "Grace Hopper", "Ken Observer", "Linus Ops",
                                                       "Margaret Oncall"]
    assert names(account.directory.search_users(query="OPS")) == ["Linus Ops"]
    assert names(account.directory.search_users(query="grace@")) == ["Grace Hopper"]
    assert names(account.directory.search_users(query="example.com")) == names(account.directory.search_users())


def test_team_filter(account):
    assert names(account.directory.search_users(team_ids=["PTPLATF"])) == ["Ken Observer", "Margaret Oncall"]
    assert names(account.directory.search_users(team_ids=["PTPLATF", "PTCHKOT"])) == [
        "Grace Hopper", "Ken Observer", "Linus Ops", "Margaret Oncall"]
    assert names(account.directory.search_users(query="o", team_ids=["PTPLATF"])) == ["Ken Observer", "Margaret Oncall"]
    assert account.directory.search_users(team_ids=["PNOTEAM"]) == [], "an unknown team matches nobody, it is no 404"


def test_team_membership(account):
    user = account.directory.add_user({"name": "Jane", "email": "jane@example.com"})
    account.directory.set_team_member("PTCHKOT", user["id"])
    assert account.directory.team_members["PTCHKOT"][user["id"]] == "manager", "the team's default role"
    account.directory.set_team_member("PTCHKOT", user["id"], "observer")
    account.directory.set_team_member("PTCHKOT", user["id"])
    assert account.directory.team_members["PTCHKOT"][user["id"]] == "observer", "repeating keeps the role"
    assert [t["id"] for t in account.directory.teams_of(user["id"])] == ["PTCHKOT"]
    account.directory.remove_team_member("PTCHKOT", user["id"])
    account.directory.remove_team_member("PTCHKOT", user["id"])
    assert account.directory.teams_of(user["id"]) == []
    with pytest.raises(NotFound):
        account.directory.set_team_member("PNOTEAM", user["id"])
    with pytest.raises(NotFound):
        account.directory.set_team_member("PTCHKOT", "PNOUSER")
    with pytest.raises(InvalidInput, match="role must be one of observer, responder, manager"):
        account.directory.set_team_member("PTCHKOT", user["id"], "boss")


def test_full_stakeholders_cannot_join_a_team(account):
    user = account.directory.add_user({"name": "Stake", "email": "stake@example.com", "role": "read_only_user"})
    with pytest.raises(ArgumentsCausedError, match="read_only_user role and cannot be added to a team"):
        account.directory.set_team_member("PTCHKOT", user["id"])
    limited = account.directory.add_user({"name": "Ltd", "email": "ltd@example.com", "role": "read_only_limited_user"})
    account.directory.set_team_member("PTCHKOT", limited["id"])


def test_teams_need_the_ability(account):
    account.abilities.discard("teams")
    with pytest.raises(PaymentRequired):
        account.directory.set_team_member("PTCHKOT", "PKENOBS")
    with pytest.raises(PaymentRequired):
        account.directory.remove_team_member("PTCHKOT", "PLINUS1")
    with pytest.raises(PaymentRequired):
        account.directory.search_teams("Check")
    with pytest.raises(PaymentRequired):
        account.directory.team("PTCHKOT")


def test_calendar_urls_only_for_oneself_or_an_admin_who_asks(account):
    ada, grace, linus = (account.directory.users.get(i) for i in ("PADMIN1", "PGRACE1", "PLINUS1"))
    assert "http_cal_url" not in account.directory.render_user(linus)
    assert "http_cal_url" in account.directory.render_user(linus, requester=linus), "one's own profile"
    assert "http_cal_url" not in account.directory.render_user(linus, requester=ada)
    assert "web_cal_url" in account.directory.render_user(linus, {"calendar_urls"}, requester=grace), "an admin asks"
    assert "http_cal_url" not in account.directory.render_user(ada, {"calendar_urls"}, requester=linus), \
        "a manager may not"


def test_delete_refused_with_open_incidents_names_them(account):
    account.events.enqueue_event({"routing_key": KEY, "event_action": "trigger", "dedup_key": "k",
                                  "payload": {"summary": "s", "source": "h", "severity": "critical"}}, 100)
    incident = account.incidents.incidents.values()[0]
    with pytest.raises(InvalidInput) as raised:
        account.directory.delete_user("PLINUS1")
    assert raised.value.status == 400 and raised.value.code == 2002
    assert raised.value.errors == ["User cannot be deleted as they have 1 open incident(s): #%d (%s)"
                                   % (incident["incident_number"], incident["id"])]
    assert "PLINUS1" in account.directory.users
    account.incidents.update_incident(account.directory.users.get("PADMIN1"), incident["id"], {"status": "resolved"})
    with pytest.raises(InvalidInput) as raised:     # Linus is on Checkout Primary, level 1 of Checkout Escalation
        account.directory.delete_user("PLINUS1")
    assert raised.value.errors == ["User cannot be deleted while they are on schedules: Checkout Primary"]
    account.schedules.schedules.get("PSCHCHK")["layers"][0]["user_ids"] = ["PGRACE1"]
    account.directory.delete_user("PLINUS1")
    assert "PLINUS1" not in account.directory.users
    assert "PLINUS1" not in account.directory.team_members["PTCHKOT"]


def test_ten_thousand_users_are_generated_in_a_predictable_order():
    big = Account(load_seed(), extra_users=10000)
    assert len(big.directory.users) == 10005
    generated = [u for u in big.directory.search_users() if u["email"].endswith("@scale.example.com")]
    assert generated[0]["name"] == "Scale User 00001" and generated[-1]["name"] == "Scale User 10000"
    assert big.directory.user_by_email("scale.user.05000@scale.example.com")["name"] == "Scale User 05000"
    assert len(big.directory.search_users(query="scale.user.0999")) == 10


# -- over HTTP, as clients see it -----------------------------------------------------------------
def test_create_needs_a_from_header_of_a_user(call):
    body = {"user": {"type": "user", "name": "Jane", "email": "jane@example.com"}}
    status, answer, unused = call("POST", "/users", body, sender=None)
    assert status == 400 and "The From header is required" in answer["error"]["errors"][0]
    status, answer, unused = call("POST", "/users", body, sender="stranger@example.com")
    assert status == 400 and answer["error"]["message"] == "Requester User Not Found"
    assert call("POST", "/users", body)[0] == 201


def test_update_sends_the_fields_the_schema_requires(call):
    status, answer, unused = call("PUT", "/users/PLINUS1", {"user": {"job_title": "Staff SRE"}})
    assert status == 400 and any("'name' is a required property" in e for e in answer["error"]["errors"])
    status, answer, unused = call("PUT", "/users/PLINUS1", {"user": {"type": "user", "name": "Linus Ops",
                                                                     "email": "linus@example.com",
                                                                     "job_title": "Staff SRE"}})
    assert status == 200 and answer["user"]["job_title"] == "Staff SRE"


def test_team_ids_filter_and_include_over_http(call):
    status, answer, unused = call("GET", "/users?team_ids[]=PTPLATF&team_ids[]=PTCHKOT&include[]=teams&total=true")
    assert status == 200 and answer["total"] == 4
    assert {t["type"] for u in answer["users"] for t in u["teams"]} == {"team"}
    status, answer, unused = call("GET", "/users?team_ids=PTPLATF")
    assert status == 400 and "did you mean team_ids[]?" in answer["error"]["errors"][0]


def test_calendar_urls_over_http(call):
    assert "http_cal_url" in call("GET", "/users/PADMIN1")[1]["user"], "the token's own user"
    assert "http_cal_url" not in call("GET", "/users/PLINUS1")[1]["user"]
    assert "http_cal_url" in call("GET", "/users/PLINUS1?include[]=calendar_urls")[1]["user"]
    assert all("http_cal_url" not in u for u in call("GET", "/users?limit=100")[1]["users"]), "never in lists"


def test_pages_of_a_large_account(sim, call):
    sim.reset(extra_users=2495)
    seen, offset = [], 0
    while True:
        status, page, unused = call("GET", "/users?limit=100&offset=%d&total=true" % offset)
        assert status == 200 and page["total"] == 2500 and page["limit"] == 100
        seen += [u["id"] for u in page["users"]]
        if not page["more"]:
            break
        offset += 100
    assert len(seen) == len(set(seen)) == 2500 and offset == 2400
