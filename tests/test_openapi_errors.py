"""The OpenAPI document describes the 422 body the lab really sends, so clients built from it read errors."""

import jsonschema_rs


def test_a_422_matches_the_documented_error_schema(client):
    schema = client.get("/openapi.json").json()
    documented = schema["paths"]["/api/attention"]["post"]["responses"]["422"]["content"]["application/json"]
    ref = documented["schema"]["$ref"].rsplit("/", 1)[-1]
    error_schema = schema["components"]["schemas"][ref]

    response = client.post("/api/attention", content=b"\x00", headers={"content-type": "application/json"})
    assert response.status_code == 422
    jsonschema_rs.validate(error_schema, response.json())
    assert all(isinstance(line, str) for line in response.json()["detail"])


def test_no_schema_refers_to_fastapis_default_error_objects(client):
    text = client.get("/openapi.json").text
    assert "#/components/schemas/ValidationError" not in text


def test_a_422_raised_with_one_message_is_a_list_too(client):
    # The sampling parameters are checked in the service, which raises one message: it comes as a list.
    response = client.post("/api/sampling/transform", json={"probs": [0.5, 0.5], "temperature": -1})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, list) and len(detail) == 1 and "temperature" in detail[0]
