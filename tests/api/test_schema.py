"""The OpenAPI schema builds without warnings, documents every endpoint, and the docs are served offline."""

from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator


def test_schema_builds_and_validates_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/scores/" in (tmp_path / "schema.yaml").read_text()


def test_every_operation_has_a_summary_and_documents_the_shared_errors(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [op for item in schema["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert len(operations) >= 25
    for operation in operations:
        assert operation.get("summary") or operation.get("description"), operation["operationId"]
        for code in ("400", "401", "403", "404"):
            content = operation["responses"][code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, operation["operationId"]


def test_schema_and_docs_are_served_to_signed_in_users(client, victor):
    client.force_login(victor)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


def test_docs_page_has_no_inline_script_code(client, victor):
    """The Swagger UI's start-up script is served as its own file, so a strict Content-Security-Policy can hold."""
    import re

    client.force_login(victor)
    html = client.get("/api/docs/").content.decode()
    inline = [body for body in re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S) if body.strip()]
    assert inline == []
    assert client.get("/api/docs/?script=").status_code == 200


def test_the_api_docs_link_back_to_the_app(db):
    """The docs page's description carries links back to the overview, the methodology and the tokens page."""
    info = SchemaGenerator().get_schema(request=None, public=True)["info"]
    assert "[Back to Atrocity Watch](/)" in info["description"]
    assert "(/account/tokens/)" in info["description"]
