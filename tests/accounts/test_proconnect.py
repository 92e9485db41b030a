"""OpenID Connect login against a real (local) identity provider speaking ProConnect's dialect:
signed ID token, userinfo returned as a signed JWT, keys published as a JWKS."""

import functools
import json
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
        id_token = self.sign({"sub": "agent-1", "nonce": self.nonce})
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
    ):
        yield provider
    provider.server.shutdown()


def sign_in_through(client, provider):
    start = client.get(reverse("oidc_authentication_init"))
    query = parse_qs(urlparse(start.url).query)
    assert start.url.startswith(f"{provider.url}/authorize")
    assert query["client_id"] == [CLIENT_ID]
    provider.nonce = query["nonce"][0]
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
