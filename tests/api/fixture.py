"""The administration API's fuzzing fixture (issue 32): what every operation needs to reach a 2xx
at least once, seeded through Lanyard's own surfaces, and the OpenAPI document the run uses —
the server's own, with examples that name this fixture's things, one per operation, so no two
operations share a person or an application they might change under each other.

Usage: fixture.py BASE_URL DATA_DIR TOKEN IN_DOC OUT_DOC
The CLI has already created the provider, the people, the applications and two invitations
(tests/api/run.sh); this script does what only the web pages can: registrations (an address
that counts as verified), wrong passwords (a lock) and help requests (A2).
"""

import json
import pathlib
import re
import sys
import time

import requests

base, data_dir, token, in_doc, out_doc = sys.argv[1:6]
PASSWORD = "Fixture-Pass-2027!"
api = requests.Session()
api.headers["Authorization"] = f"Bearer {token}"


def csrf(html):
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    if not found:
        raise SystemExit(f"fixture: a page without its form: {html[:800]}")
    return found.group(1)


def mailed_link(to, path):
    """The newest link to `path` in the file outbox's mail to `to`."""
    for _ in range(100):
        for eml in sorted(pathlib.Path(data_dir, "outbox").glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            text = eml.read_text().replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
            if f"To: {to}" in text and path in text:
                return re.search(re.escape(path) + r"\?token=([A-Za-z0-9_.-]+)", text).group(1)
        time.sleep(0.1)
    raise SystemExit(f"fixture: no mail to {to} with {path}")


def register(login):
    """A person registered from an invitation: their address counts as verified (P1)."""
    email = f"{login}@acme.example"
    r = api.post(f"{base}/admin/api/v1/providers/ACME/invitations", json={"name": login, "email": email})
    r.raise_for_status()
    token = mailed_link(email, "/invitation")
    browser = requests.Session()
    page = browser.get(f"{base}/invitation", params={"token": token}).text
    form = {"csrf": csrf(page), "token": token, "login_name": login, "new_password": PASSWORD, "confirm_password": PASSWORD}
    r = browser.post(f"{base}/invitation", data=form, allow_redirects=False)
    assert r.status_code == 303, (r.status_code, r.text[:500])


def make_super_admin(login):
    r = api.patch(f"{base}/admin/api/v1/providers/ACME/users/{login}", json={"user_type": "super_admin"})
    r.raise_for_status()


def lock_and_ask_for_help(login):
    for _ in range(3):
        browser = requests.Session()
        page = browser.get(f"{base}/login").text
        form = {"csrf": csrf(page), "login_name": login, "password": "Wrong-Guess-1!", "provider_code": "ACME"}
        browser.post(f"{base}/login", data=form, allow_redirects=False)
    browser = requests.Session()
    page = browser.get(f"{base}/login/help").text
    browser.post(f"{base}/login/help", data={"csrf": csrf(page), "provider_code": "ACME", "login_name": login})


def request_of(login):
    for _ in range(100):
        listed = api.get(f"{base}/admin/api/v1/recovery-requests", params={"status": "all"}).json()
        mine = [r for r in listed if r["login_name"] == login]
        if mine:
            return mine[0]["id"]
        time.sleep(0.1)
    raise SystemExit(f"fixture: no recovery request for {login}")


# A2: three locked-out super admins, one request each: one to approve, one to refuse, one
# approved already (to withdraw). Approval needs a verified address: they registered.
for login in ["root-approve", "root-withdraw"]:
    register(login)
api.post(f"{base}/admin/api/v1/providers/ACME/users", json={"login_name": "root-refuse", "user_type": "super_admin"}).raise_for_status()
for login in ["root-approve", "root-withdraw"]:
    make_super_admin(login)
requests_of = {}
for login in ["root-approve", "root-refuse", "root-withdraw"]:
    lock_and_ask_for_help(login)
    requests_of[login] = request_of(login)
api.post(f"{base}/admin/api/v1/recovery-requests/{requests_of['root-withdraw']}/approve").raise_for_status()

# F11: a security-key model to remove (the one to list is the run's own example).
CA = pathlib.Path(__file__).with_name("attestation_ca.pem").read_text()
DOOMED_MODEL = "11111111-2222-3333-4444-555555555555"
api.put(f"{base}/admin/api/v1/providers/ACME/key-models/{DOOMED_MODEL}", json={"name": "Doomed key", "attestation_ca": CA}).raise_for_status()

invitations = api.get(f"{base}/admin/api/v1/providers/ACME/invitations", params={"limit": 200}).json()["entries"]
pending = sorted(i["id"] for i in invitations if i["status"] == "pending")

# One person or application per operation that changes one: the examples phase reaches each
# operation's 2xx before any other operation could have changed its subject.
examples = {
    "show_provider": {"code": "ACME"},
    "update_provider": {"code": "ACME"},
    "list_users": {"code": "ACME"},
    "create_user": {"code": "ACME"},
    "list_activity": {"code": "ACME"},
    "export_activity": {"code": "ACME", "format": "csv"},
    "list_invitations": {"code": "ACME"},
    "create_invitation": {"code": "ACME"},
    "resend_invitation": {"code": "ACME", "id": pending[0]},
    "revoke_invitation": {"code": "ACME", "id": pending[1]},
    "show_user": {"code": "ACME", "login": "alice"},
    "change_user_status": {"code": "ACME", "login": "bob"},
    "send_user_reset_link": {"code": "ACME", "login": "carol"},
    "reset_user_password": {"code": "ACME", "login": "dave"},
    "update_user": {"code": "ACME", "login": "erin"},
    "list_user_sessions": {"code": "ACME", "login": "frank"},
    "sign_out_user_everywhere": {"code": "ACME", "login": "frank"},
    "list_user_applications": {"code": "ACME", "login": "gina"},
    "show_user_second_factors": {"code": "ACME", "login": "hank"},
    "reset_user_second_factors": {"code": "ACME", "login": "hank"},
    "set_user_application_access": {"code": "ACME", "login": "gina", "client_id": "records"},
    "show_client": {"client_id": "records"},
    "update_client": {"client_id": "records"},
    "rotate_client_secret": {"client_id": "records"},
    "delete_client": {"client_id": "doomed"},
    "approve_recovery_request": {"id": requests_of["root-approve"]},
    "refuse_recovery_request": {"id": requests_of["root-refuse"]},
    "withdraw_recovery_request": {"id": requests_of["root-withdraw"]},
    "list_key_models": {"code": "ACME"},
    "put_key_model": {"code": "ACME", "aaguid": "0fb9bcbc-a0d4-4042-bbb0-559bc1631e28"},
    "remove_key_model": {"code": "ACME", "aaguid": DOOMED_MODEL},
}
bodies = {
    "start_maintenance": {"message": "Planned upgrade", "until": int(time.time()) + 3600},
    "change_user_status": {"action": "admin_lock"},
    "set_user_application_access": {"status": "admin_locked"},
    "create_user": {"login_name": "new-person", "user_type": "regular"},
    "create_invitation": {"name": "New Invitee", "email": "new-invitee@acme.example"},
    "put_key_model": {"name": "Fixture key", "attestation_ca": CA},
}

doc = json.loads(pathlib.Path(in_doc).read_text())
# A registration names providers that exist: in this run, the fixture's one.
schemas = doc["components"]["schemas"]
schemas["NewClient"]["properties"]["providers"]["items"] = {"type": "string", "enum": ["ACME"]}
# A registration's own client_id: this run's namespace, so a generated one is never Lanyard's
# console's (refused by design) nor an id an earlier call of the run was given (409 by design).
schemas["NewClient"]["properties"]["client_id"] = {
    "anyOf": [{"type": "string", "pattern": "^fz-[0-9a-f]{16}$"}, {"type": "null"}]
}
for role in schemas["AdminGrant"]["oneOf"]:
    if "provider" in role.get("properties", {}):
        role["properties"]["provider"] = {"type": "string", "enum": ["ACME"]}
# A maintenance window ends in the future and after it begins: JSON Schema cannot say "later
# than now", so this run's document says it with today's numbers.
window = schemas["NewMaintenance"]["properties"]
now = int(time.time())
window["until"]["minimum"] = now + 86400
window["from"] = {"anyOf": [{"type": "integer", "minimum": now, "maximum": now + 3600}, {"type": "null"}]}
seen = set()
for item in doc["paths"].values():
    for op in item.values():
        op_id = op["operationId"]
        for param in op.get("parameters", []):
            if param["in"] == "path" and param["name"] in examples.get(op_id, {}):
                param["example"] = examples[op_id][param["name"]]
                seen.add(op_id)
        if op_id in bodies:
            op["requestBody"]["content"]["application/json"]["example"] = bodies[op_id]
missing = set(examples) - seen
assert not missing, f"fixture: operations the document no longer has: {missing}"
pathlib.Path(out_doc).write_text(json.dumps(doc))
print(f"fixture: {len(examples)} operations given examples; recovery requests {requests_of}; invitations {pending}")
