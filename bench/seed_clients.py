"""Gives the demo partner Alpenweb GmbH N more active clients (full access), all assigned to its
employee Carla, through the public API and the development mailbox. Prints what the benchmark
needs: the partner's organisation id and an API token of the employee.

Usage: python bench/seed_clients.py http://127.0.0.1:8090 50
"""
import json
import re
import sys
import urllib.request

BASE, COUNT = sys.argv[1], int(sys.argv[2])
PASSWORD = "demo-password-2026"


def call(method, path, token=None, body=None):
    request = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def token(email, password=PASSWORD):
    return call("POST", "/api/v1/auth/tokens", body={"email": email, "password": password, "name": "bench"})["token"]


anna = token("anna@alpenweb.demo")
carla = token("carla@alpenweb.demo")
partner = next(o["organisation"]["id"] for o in call("GET", "/api/v1/organisations", anna) if o["organisation"]["name"] == "Alpenweb GmbH")
carla_membership = next(m["id"] for m in call("GET", f"/api/v1/organisations/{partner}/members", anna) if m["email"] == "carla@alpenweb.demo")
for i in range(COUNT):
    email = f"bench-client-{i}@bench.test"
    call("POST", "/api/v1/signup", body={"name": f"Bench {i}", "email": email, "password": PASSWORD,
                                         "organisation_name": f"Bench Client {i:03d}", "country": "CH"})
    client_token = token(email)
    client = call("GET", "/api/v1/organisations", client_token)[0]["organisation"]["id"]
    for product in ("web-hosting", "mail-hosting"):
        call("POST", f"/api/v1/organisations/{client}/products", client_token, {"category": product, "name": f"{product} bench{i}.ch"})
    partnership = call("POST", f"/api/v1/organisations/{client}/partners", client_token, {"partner_id": partner, "access": "full"})["id"]
    mailbox = urllib.request.urlopen(BASE + "/dev/mailbox", timeout=30).read().decode()
    # The newest invitation mail is first; open it and take its link.
    mail_id = re.search(r'/dev/mailbox/([0-9a-f-]{36})">Bench Client %03d wants' % i, mailbox).group(1)
    mail = urllib.request.urlopen(f"{BASE}/dev/mailbox/{mail_id}", timeout=30).read().decode()
    invitation = re.search(r"/partnerships/([A-Za-z0-9_-]+)", mail).group(1)
    call("POST", "/api/v1/partnership-invitations/accept", anna, {"token": invitation})
    call("PUT", f"/api/v1/organisations/{partner}/partnerships/{partnership}/assignments/{carla_membership}", anna)
    print(f"\rclients seeded: {i + 1}/{COUNT}", end="", file=sys.stderr, flush=True)
print(file=sys.stderr)
print(json.dumps({"partner": partner, "employee_token": carla}))
