"""What the OpenAPI document adds to the routes' own declarations.

Language codes are one component, ``LanguageCode``: the active ISO 639-3 codes the service accepts
(``TargetLanguageCode`` for a glossary, which is never Vietnamese).  Query parameters that take a
language refer to it, and say that an empty value means "any".  A client generated from the
document then knows exactly what the server takes.
"""

from __future__ import annotations

from fastapi import FastAPI

from dictionary import languages

LANGUAGE_PARAMETERS = ("from", "to", "lang", "language")
_CODE = {"$ref": "#/components/schemas/LanguageCode"}
# what an entry's writer keys by language: (schema, property)
_KEYED_BY_LANGUAGE = (("SenseContent", "glosses"), ("SenseContent", "definitions"), ("ExampleContent", "translations"))


def _language_schema(*, exclude: tuple[str, ...] = ()) -> dict:
    return {
        "type": "string",
        "enum": [code for code in languages.codes() if code not in exclude],
        "description": "mã ngôn ngữ ISO 639-3, ví dụ vie (tiếng Việt), bdq (Ba Na), mww (H'Mông Trắng)",
    }


def install(app: FastAPI) -> None:
    made = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = made()
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas["LanguageCode"] = _language_schema()
        schemas["TargetLanguageCode"] = _language_schema(exclude=(languages.VIETNAMESE,))
        for path in doc["paths"].values():
            for operation in path.values():
                for parameter in operation.get("parameters", ()):
                    if parameter["in"] == "query" and parameter["name"] in LANGUAGE_PARAMETERS:
                        parameter["schema"] = {"anyOf": [
                            {"$ref": "#/components/schemas/LanguageCode"},
                            {"type": "string", "maxLength": 0, "description": "bất kỳ ngôn ngữ nào"},
                            {"type": "null"},
                        ]}
                    if parameter["in"] == "path" and parameter["name"] == "language":
                        parameter["schema"] = _CODE
                    if parameter["in"] == "header" and parameter["name"] == "if-match" and operation is path.get("put"):
                        parameter["required"] = True  # a replacement without it is refused (428)
        if "EntryWrite" in schemas:
            schemas["EntryWrite"]["properties"]["language"] = {**_CODE, "description": "mã ISO 639-3 của ngôn ngữ mục từ"}
            for name, prop in _KEYED_BY_LANGUAGE:
                schemas[name]["properties"][prop]["propertyNames"] = _CODE
        for name in ("RequestWrite", "DecisionWrite", "SpeakerWrite", "CampaignWrite"):  # a body's language
            if name in schemas:
                code = "TargetLanguageCode" if name == "RequestWrite" else "LanguageCode"
                schemas[name]["properties"]["language"] = {"$ref": f"#/components/schemas/{code}",
                                                           "description": "mã ISO 639-3"}
        translate = schemas.get("TranslateRequest")
        if translate is not None:
            translate["properties"]["to"]["items"] = {"$ref": "#/components/schemas/TargetLanguageCode"}
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend its document
