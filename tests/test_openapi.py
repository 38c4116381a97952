"""The API document tells the truth: every JSON body is described by its model, every error by
the one error shape, required parameters are required; and Schemathesis, run against a real
server with every check on, finds nothing the server does that the document does not say."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support import REPO, Library, start_server

from corpora.sample import load_sample
from dictionary.model import EntryContent
from dictionary.text.normalize import WRITTEN_LINE, WRITTEN_TEXT


@pytest.fixture(scope="module")
def document(tmp_path_factory) -> dict:
    lib = Library(tmp_path_factory.mktemp("doc") / "data")
    with lib.client() as client:
        return client.get("/openapi.json").json()


def test_every_json_answer_is_described_by_a_model(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                if "application/json" not in content:
                    continue
                schema = content["application/json"]["schema"]
                assert "$ref" in schema, (method, path, status, schema)
                if status.startswith(("4", "5")) and path != "/health":
                    assert schema["$ref"].endswith("/ErrorPublic"), (method, path, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_entry_writer_states_the_domain_s_limits_and_text_rules(document):
    schemas = document["components"]["schemas"]
    write, sense, example = schemas["EntryWrite"]["properties"], schemas["SenseContent"]["properties"], \
        schemas["ExampleContent"]["properties"]
    assert (write["headword"]["maxLength"], write["headword"]["pattern"]) == (200, WRITTEN_LINE)
    assert write["variants"]["maxItems"] == 50 and write["variants"]["items"]["maxLength"] == 200
    assert write["senses"]["maxItems"] == 100 and write["comment"]["anyOf"][0]["maxLength"] == 2000
    assert {name: write[name]["anyOf"][0]["maxLength"] for name in ("pos", "ipa", "authority")} == \
        {"pos": 50, "ipa": 200, "authority": 300}
    assert sense["definitions"]["additionalProperties"]["maxLength"] == 4000
    assert sense["definitions"]["additionalProperties"]["pattern"] == WRITTEN_TEXT  # paragraphs allowed
    assert sense["glosses"]["additionalProperties"]["items"]["pattern"] == WRITTEN_LINE
    assert example["text"]["maxLength"] == 1000 and sense["examples"]["maxItems"] == 50
    # the document states the domain model's own declarations, not a copy of them
    content = EntryContent.model_json_schema()["properties"]
    for name in ("headword", "variants", "pos", "ipa", "authority"):
        assert {k: v for k, v in write[name].items() if k not in ("description", "default")} == \
            {k: v for k, v in content[name].items() if k not in ("description", "default")}, name


def test_required_parameters_are_required_and_languages_are_codes(document):
    def parameter(path, name):
        operation = next(iter(document["paths"][path].values()))
        return next(p for p in operation["parameters"] if p["name"] == name)

    for path, name in (("/v1/search", "q"), ("/v1/suggest", "q"), ("/v1/speak", "text")):
        assert parameter(path, name)["required"] is True, (path, name)
    assert parameter("/v1/search", "q")["schema"]["maxLength"] == 200
    codes = document["components"]["schemas"]["LanguageCode"]["enum"]
    assert {"vie", "bdq", "mww", "khm", "cja", "tyz"} <= set(codes) and len(codes) > 7000
    assert "vie" not in document["components"]["schemas"]["TargetLanguageCode"]["enum"]
    assert parameter("/v1/search", "from")["schema"]["anyOf"][0]["$ref"].endswith("/LanguageCode")


def test_a_405_lists_every_method_of_the_path(tmp_path):
    lib = Library(tmp_path / "data")
    with lib.client() as client:
        answer = client.request("PUT", "/v1/entries/x/audio")
        assert answer.status_code == 405 and answer.headers["Allow"] == "GET, POST"
        answer = client.request("PATCH", "/v1/audio/x")
        assert answer.status_code == 405 and answer.headers["Allow"] == "DELETE, GET, HEAD"


@pytest.mark.server
def test_schemathesis_finds_nothing_undocumented(tmp_path):
    folder = tmp_path / "data"
    lib = Library(folder)
    load_sample(lib.services.collection)
    lib.index()
    env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng",
           "TUDIEN_API_KEYS": "khoa-fuzz", "TUDIEN_RATE_LIMITS": "translate=0,speak=0,suggest=0,report=0,pronounce=0,changes=0,missing=0"}
    server, port = start_server(env, stderr=subprocess.PIPE, text=True)
    site = f"http://127.0.0.1:{port}"
    try:
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "--config-file", str(REPO / "tests" / "schemathesis.toml"),
             "run", site + "/openapi.json", "--checks", "all", "--phases", "examples,fuzzing,stateful",
             "--max-examples", "25", "--seed", "1", "--no-color", "-H", "X-API-Key: khoa-fuzz"],
            capture_output=True, text=True, timeout=900, env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
            cwd=tmp_path,  # its cache of findings goes there, not into the checkout
        )
        summary = run.stdout[-6000:]
        assert run.returncode == 0, summary
        assert " passed" in summary and "failures" not in summary.split("SUMMARY")[-1], summary
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=20)
    assert "Traceback" not in errors, errors[-4000:]
