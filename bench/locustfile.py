"""The real mix for the load test: social workers registering and referring, advisors answering,
officers reading the statistics. Driven by bench/load.py, which writes the demo logins to
bench/results/load-users.json."""

import json
import os
import random
from itertools import cycle
from pathlib import Path

from locust import HttpUser, between, task

USERS = json.loads(Path(os.environ["PASIP_LOAD_USERS"]).read_text())
PASSWORD = USERS["password"]
LOGINS = {role: cycle(names) for role, names in USERS["logins"].items()}
COMMUNES = USERS["communes"]
NEEDS = ["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"]


class Agent(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self):
        username = next(LOGINS[self.role])
        token = self.client.post(
            "/api/v1/auth/token/",
            {"username": username, "password": PASSWORD},
            name="/api/v1/auth/token/",
        ).json()["token"]
        self.client.headers["Authorization"] = f"Token {token}"


class SocialWorker(Agent):
    weight = 5
    role = "social_worker"

    @task(3)
    def list_referrals(self):
        self.client.get("/api/v1/referrals/", name="/api/v1/referrals/ (list)")

    @task(2)
    def register_and_refer(self):
        commune = random.choice(COMMUNES)
        person = self.client.post(
            "/api/v1/persons/",
            json={
                "first_name": "Prénom",
                "last_name": "Charge",
                "birth_year": random.randint(1940, 2000),
                "commune": commune,
                "preferred_channel": "post",
                "share_identity": True,
                "share_assessment": True,
                "consent_method": "oral",
            },
            name="/api/v1/persons/ (create)",
        ).json()
        assessment = self.client.post(
            "/api/v1/assessments/",
            json={"person": person["id"], "answers": USERS["answers"]},
            name="/api/v1/assessments/ (draft)",
        ).json()
        profile = self.client.post(
            f"/api/v1/assessments/{assessment['id']}/validate/",
            name="/api/v1/assessments/[id]/validate/",
        ).json()["profile"]
        # The referral goes with the assessment, for some of the needs its profile shows.
        found = [need["category"] for need in profile["needs"]]
        needs = [need for need in NEEDS if need in found][: random.randint(1, 2)] or found[:1]
        suggestions = self.client.post(
            "/api/v1/suggestions/",
            json={"commune": commune, "profile": profile, "person": person["id"]},
            name="/api/v1/suggestions/",
        ).json()
        if isinstance(suggestions, dict):
            suggestions = suggestions.get("suggestions", [])
        if suggestions:
            self.client.post(
                "/api/v1/referrals/",
                json={"person": person["id"], "advisor": suggestions[0]["advisor"], "needs": needs},
                name="/api/v1/referrals/ (send)",
            )


class Advisor(Agent):
    weight = 3
    role = "advisor"

    @task(3)
    def inbox(self):
        self.client.get("/api/v1/referrals/", name="/api/v1/referrals/ (inbox)")

    @task(1)
    def answer(self):
        waiting = self.client.get(
            "/api/v1/referrals/?state=sent", name="/api/v1/referrals/?state=sent"
        ).json()
        sent = [r for r in waiting.get("results", []) if r["state"] == "sent"]
        if sent:
            referral = random.choice(sent)
            with self.client.post(
                f"/api/v1/referrals/{referral['id']}/accept/",
                name="/api/v1/referrals/[id]/accept/",
                catch_response=True,
            ) as response:
                if response.status_code == 409:  # another advisor of the inbox was quicker
                    response.success()
            self.client.get(f"/api/v1/referrals/{referral['id']}/", name="/api/v1/referrals/[id]/")


class Officer(Agent):
    weight = 1
    role = "officer"

    @task
    def statistics(self):
        self.client.get("/api/v1/stats/", name="/api/v1/stats/")
        self.client.get("/api/v1/stats/territoire/", name="/api/v1/stats/territoire/")
        self.client.get("/api/v1/stats/mois/", name="/api/v1/stats/mois/")
