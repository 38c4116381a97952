"""One entry, whole, with provenance."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import AudioDep, SearchDep
from ..responses import JSON
from ..schemas import EntryDetail, clips_public, entry_detail, errors

router = APIRouter(tags=["mục từ"], responses=errors(422))


@router.get("/v1/entries/{entry_id}", response_model=EntryDetail, responses=errors(404))
async def entry(search: SearchDep, audio: AudioDep, entry_id: str):
    """One entry, whole: senses, variants, what the source held beyond them, where it came from."""
    entry = search.store.get(entry_id).model_dump(mode="json")
    clips = clips_public(audio.clips_for([entry]))[entry_id]
    return JSON(entry_detail(entry, clips))
