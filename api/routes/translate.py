"""A whole Vietnamese text looked up term by term."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from ..deps import AudioDep, DemandDep, TranslatorDep, client_of
from ..ratelimit import limited
from ..responses import JSON
from ..schemas.audio import clips_public
from ..schemas.common import errors
from ..schemas.translate import GlossaryPublic, TranslateRequest, glossary_entries, glossary_public

router = APIRouter(tags=["dịch"], responses=errors(422))


@router.post("/v1/translate", response_model=GlossaryPublic, responses=errors(400, 422, 429, 503),
             dependencies=[Depends(limited("translate"))])
async def translate(translator: TranslatorDep, audio: AudioDep, demand: DemandDep, request: Request,
                    body: TranslateRequest):
    """A Vietnamese text looked up term by term in the wanted languages, with the gaps."""
    glossary = await run_in_threadpool(translator.translate, body.text, body.to)
    demand.gaps([(t.text, lang) for t in glossary.terms for lang in t.gaps], client_of(request))
    clips = clips_public(audio.clips_for(glossary_entries(glossary)))
    return JSON(glossary_public(glossary, clips))
