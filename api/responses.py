"""The JSON response class: orjson bytes, UTF-8, no re-validation of what the service built.

A :class:`JSONResponse` subclass, so that the OpenAPI document describes each route's body by
its declared model (FastAPI documents any other response class as a string)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class JSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
