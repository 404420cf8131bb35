"""GET /api documents every /api/ operation from the app's own OpenAPI schema."""

from tests.conftest import page


def test_api_page_documents_tokenize(client):
    doc = page(client.get("/api"))
    op = doc.select_one('section.api-op[data-method="POST"][data-path="/api/tokenize"]')
    assert op is not None
    fields = {
        tr.select_one("th").get_text(): [td.get_text() for td in tr.select("td")]
        for tr in op.select('table[data-schema="TokenizeRequest"] tbody tr')
    }
    assert fields["text"][:2] == ["string", "yes"]
    assert fields["encoding"][:2] == ["string", "yes"]
    assert fields["allow_special"][:3] == ["boolean", "no", "false"]
    curl = op.select_one(".api-curl").get_text()
    assert curl.startswith(
        "curl -s -X POST http://testserver/api/tokenize -H 'Content-Type: application/json'"
    )
    assert '"encoding": "cl100k_base"' in curl
    assert {li.select_one("code").get_text() for li in op.select(".api-status li")} >= {"200", "413", "422"}


def test_api_page_documents_encodings(client):
    doc = page(client.get("/api"))
    op = doc.select_one('section.api-op[data-method="GET"][data-path="/api/encodings"]')
    assert op.select_one(".api-curl").get_text() == "curl -s http://testserver/api/encodings"
    assert [li.select_one("code").get_text() for li in op.select(".api-response li")] == [
        "name",
        "vocab_size",
        "source",
    ]


def test_openapi_json_stays_and_swagger_is_off(client):
    assert "/api/tokenize" in client.get("/openapi.json").json()["paths"]
    assert client.get("/docs").status_code == 404
