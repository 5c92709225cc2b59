import pytest
from django.test import Client

from safepathways.conftest import Persona


def test_docs_need_sign_in(anonymous: Client) -> None:
    response = anonymous.get("/api/v1/docs/")
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["social_worker", "partner"])
def test_docs_list_every_operation(persona: str, request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(persona).http
    body = client.get("/api/v1/docs/").content.decode()
    assert "/api/v1/people/{id}/" in body
    assert "PATCH" in body


def test_schema_needs_authentication(anonymous: Client) -> None:
    assert anonymous.get("/api/v1/schema/").status_code == 401


def test_schema_is_served_to_signed_in_users(social_worker: Persona) -> None:
    response = social_worker.http.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
