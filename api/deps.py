"""Services reach routes by injection, so tests can swap the engine without patching."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from dictionary.search import SearchService


def get_service(request: Request) -> SearchService:
    return request.app.state.service


ServiceDep = Annotated[SearchService, Depends(get_service)]
