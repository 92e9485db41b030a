"""OpenID Connect login against a real (local) identity provider speaking ProConnect's dialect:
signed ID token, userinfo returned as a signed JWT, keys published as a JWKS."""

import functools
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings
from django.urls import reverse
from jwt.algorithms import RSAAlgorithm

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CLIENT_ID = "pasip-lot"


@functools.cache
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    def __init__(self):
        self.key = signing_key()
        self.nonce = None
        self.claims = {}
        self.audience = CLIENT_ID
        self.subject = "agent-1"
        self.acr = "eidas1"
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's hook name)
                self.rfile.read(int(self.headers["Content-Length"]))
                provider.reply(self, "application/json", json.dumps(provider.token_response()))

            def do_GET(self):  # noqa: N802
                if self.path == "/jwks":
                    jwk = json.loads(RSAAlgorithm.to_jwk(provider.key.public_key()))
                    jwk.update(kid="k1", use="sig", alg="RS256")
                    provider.reply(self, "application/json", json.dumps({"keys": [jwk]}))
                else:
                    provider.reply(self, "application/jwt", provider.sign(provider.claims))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sign(self, claims):
        now = int(time.time())
        payload = {"iss": self.url, "aud": self.audience, "iat": now, "exp": now + 60, **claims}
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": "k1"})

    def token_response(self):
        claims = {"sub": self.subject, "nonce": self.nonce, "acr": self.acr}
        id_token = self.sign({key: value for key, value in claims.items() if value is not None})
        return {"access_token": "opaque", "token_type": "Bearer", "id_token": id_token}

    @staticmethod
    def reply(handler, content_type, body):
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.end_headers()
        handler.wfile.write(body.encode())


@pytest.fixture
def provider():
    provider = Provider()
    with override_settings(
        OIDC_RP_CLIENT_ID=CLIENT_ID,
        OIDC_RP_CLIENT_SECRET="secret",
        OIDC_OP_ISSUER=provider.url,
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{provider.url}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{provider.url}/token",
        OIDC_OP_USER_ENDPOINT=f"{provider.url}/userinfo",
        OIDC_OP_JWKS_ENDPOINT=f"{provider.url}/jwks",
        OIDC_OP_LOGOUT_ENDPOINT=f"{provider.url}/session/end",
    ):
        yield provider
    provider.server.shutdown()


def sign_in_through(client, provider):
    start = client.get(reverse("oidc_authentication_init"))
    query = parse_qs(urlparse(start.url).query)
    assert start.url.startswith(f"{provider.url}/authorize")
    assert query["client_id"] == [CLIENT_ID]
    provider.nonce = query["nonce"][0]
    provider.last_query = query
    return client.get(
        reverse("oidc_authentication_callback"), {"code": "c0de", "state": query["state"][0]}
    )


def test_an_agent_known_by_e_mail_logs_in_with_proconnect(client, provider):
    agent = UserFactory(email="claire.vayssie@lot.fr", first_name="C", last_name="V")
    provider.claims = {
        "email": "Claire.Vayssie@lot.fr",
        "given_name": "Claire",
        "usual_name": "Vayssié",
    }
    assert "Se connecter avec ProConnect" in client.get(reverse("login")).content.decode()

    response = sign_in_through(client, provider)

    assert response.status_code == 302 and "echec" not in response.url
    assert int(client.session["_auth_user_id"]) == agent.pk
    agent.refresh_from_db()
    assert (agent.first_name, agent.last_name) == ("Claire", "Vayssié")


def test_an_unknown_agent_is_refused_and_no_account_is_created(client, provider):
    provider.claims = {"email": "inconnu@lot.fr", "given_name": "X", "usual_name": "Y"}
    response = sign_in_through(client, provider)
    assert response.url == "/connexion/?proconnect=echec"
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "aucun compte PASIP numérique n'est associé" in page


def test_a_token_minted_for_another_client_is_refused(client, provider):
    UserFactory(email="claire.vayssie@lot.fr")
    provider.claims = {"email": "claire.vayssie@lot.fr"}
    provider.audience = "another-service"
    response = sign_in_through(client, provider)
    assert "_auth_user_id" not in client.session
    assert response.url == "/connexion/?proconnect=echec"


def test_without_configuration_there_is_no_button_and_no_endpoint(client):
    assert "ProConnect" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404


# Users bound by ProConnect's stable subject (`sub`), not by their e-mail address.


def test_the_first_login_binds_the_subject_and_a_changed_e_mail_keeps_the_account(client, provider):
    agent = UserFactory(email="claire.vayssie@lot.fr")
    provider.claims = {"email": "claire.vayssie@lot.fr", "given_name": "Claire"}
    sign_in_through(client, provider)
    agent.refresh_from_db()
    assert agent.proconnect_sub == "agent-1"

    client.logout()
    provider.claims = {"email": "claire.vayssie@cauvaldor.fr", "given_name": "Claire"}
    response = sign_in_through(client, provider)

    assert "echec" not in response.url
    assert int(client.session["_auth_user_id"]) == agent.pk


def test_a_subject_bound_to_one_account_never_opens_another_with_its_e_mail(client, provider):
    first = UserFactory(email="claire.vayssie@lot.fr", proconnect_sub="agent-1")
    UserFactory(email="paul.delmas@lot.fr")
    provider.claims = {"email": "paul.delmas@lot.fr"}

    sign_in_through(client, provider)

    assert int(client.session["_auth_user_id"]) == first.pk


def test_an_account_already_bound_is_not_taken_over_by_another_subject(client, provider):
    agent = UserFactory(email="claire.vayssie@lot.fr", proconnect_sub="agent-1")
    provider.subject = "someone-else"
    provider.claims = {"email": "claire.vayssie@lot.fr"}

    response = sign_in_through(client, provider)

    assert response.url == "/connexion/?proconnect=echec"
    assert "_auth_user_id" not in client.session
    agent.refresh_from_db()
    assert agent.proconnect_sub == "agent-1"


def test_a_deactivated_account_bound_by_subject_is_refused(client, provider):
    UserFactory(email="claire.vayssie@lot.fr", proconnect_sub="agent-1", is_active=False)
    provider.claims = {"email": "claire.vayssie@lot.fr"}
    response = sign_in_through(client, provider)
    assert response.url == "/connexion/?proconnect=echec"
    assert "_auth_user_id" not in client.session


def test_userinfo_for_another_subject_is_refused(client, provider):
    UserFactory(email="claire.vayssie@lot.fr")
    provider.claims = {"sub": "agent-2", "email": "claire.vayssie@lot.fr"}
    response = sign_in_through(client, provider)
    assert response.url == "/connexion/?proconnect=echec"
    assert "_auth_user_id" not in client.session


# The assurance level requested.


def test_the_assurance_level_is_requested(client, provider):
    UserFactory(email="claire.vayssie@lot.fr")
    provider.claims = {"email": "claire.vayssie@lot.fr"}
    sign_in_through(client, provider)
    assert provider.last_query["acr_values"] == ["eidas1"]
    with override_settings(PASIP_PROCONNECT_ACR="eidas2"):
        sign_in_through(client, provider)
    assert provider.last_query["acr_values"] == ["eidas2"]


@pytest.mark.parametrize("acr", [None, "eidas0", "self-asserted"])
def test_a_token_below_the_assurance_level_is_refused_with_a_message(client, provider, acr):
    agent = UserFactory(email="claire.vayssie@lot.fr")
    provider.claims = {"email": "claire.vayssie@lot.fr"}
    provider.acr = acr

    response = sign_in_through(client, provider)

    assert response.url == "/connexion/?proconnect=niveau"
    assert "_auth_user_id" not in client.session
    assert "oidc_id_token" not in client.session
    agent.refresh_from_db()
    assert agent.proconnect_sub is None
    page = client.get(response.url).content.decode()
    assert "le niveau de garantie de votre identité est insuffisant" in page
    assert "niveau demandé : eidas1" in page


def test_a_higher_assurance_level_is_accepted(client, provider):
    agent = UserFactory(email="claire.vayssie@lot.fr")
    provider.claims = {"email": "claire.vayssie@lot.fr"}
    provider.acr = "eidas2"
    sign_in_through(client, provider)
    assert int(client.session["_auth_user_id"]) == agent.pk


# Logout at the provider.


def test_logout_after_proconnect_ends_the_session_at_the_provider(client, provider, caplog):
    UserFactory(email="claire.vayssie@lot.fr")
    provider.claims = {"email": "claire.vayssie@lot.fr"}
    sign_in_through(client, provider)
    id_token = client.session["oidc_id_token"]
    assert id_token not in client.get(reverse("home"), follow=True).content.decode()

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url.startswith(f"{provider.url}/session/end?")
    query = parse_qs(urlparse(response.url).query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/connexion/"]
    state = query["state"][0]
    assert "_auth_user_id" not in client.session
    assert "oidc_id_token" not in client.session
    assert id_token not in caplog.text

    page = client.get(reverse("login"), {"state": state}).content.decode()
    assert "Vous êtes déconnecté de PASIP numérique et de ProConnect" in page


def test_logout_after_a_password_login_stays_local(client, provider):
    agent = UserFactory(email="claire.vayssie@lot.fr")
    client.force_login(agent)
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_logout_is_still_a_csrf_protected_post(provider):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    UserFactory(email="claire.vayssie@lot.fr")
    provider.claims = {"email": "claire.vayssie@lot.fr"}
    sign_in_through(client, provider)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in client.session


def test_the_logout_form_may_lead_to_the_provider_under_the_content_security_policy():
    """Browsers apply form-action to the redirect answering the logout form."""
    code = (
        "from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pasip.settings.test",
        "OIDC_OP_LOGOUT_ENDPOINT": "https://auth.agentconnect.gouv.fr/api/v2/session/end",
    }
    output = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[\"'self'\", 'https://auth.agentconnect.gouv.fr']"


def test_an_administrator_unbinds_an_account_whose_proconnect_identity_changed(client, provider):
    agent = UserFactory(email="claire.vayssie@lot.fr", proconnect_sub="old-identity")
    provider.claims = {"email": "claire.vayssie@lot.fr"}
    sign_in_through(client, provider)
    assert "_auth_user_id" not in client.session

    client.force_login(UserFactory(is_staff=True, is_superuser=True, role="administrator"))
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unbind_proconnect", "_selected_action": [agent.pk]},
    )
    assert response.status_code == 302
    client.logout()

    sign_in_through(client, provider)
    assert int(client.session["_auth_user_id"]) == agent.pk
    agent.refresh_from_db()
    assert agent.proconnect_sub == "agent-1"


def test_a_proconnect_login_over_another_account_still_logs_out_at_the_provider(client, provider):
    client.force_login(UserFactory())
    agent = UserFactory(email="claire.vayssie@lot.fr")
    provider.claims = {"email": "claire.vayssie@lot.fr"}
    sign_in_through(client, provider)
    assert int(client.session["_auth_user_id"]) == agent.pk

    response = client.post(reverse("logout"))

    assert response.url.startswith(f"{provider.url}/session/end?")
