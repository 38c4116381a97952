"""Settings in, services and the ASGI app out: the one place that chooses the parts.

``tudien serve`` hands uvicorn :func:`app_from_env` (each worker process builds its own services);
the command line, the relevance runner, the benchmarks and the tests call :func:`open_services`.
"""

from __future__ import annotations

import gc
from dataclasses import replace
from typing import TYPE_CHECKING

from dictionary.audio.synth import Synthesiser
from dictionary.errors import ConfigurationError
from dictionary.search.ports import Backend
from dictionary.services import Services
from dictionary.storage.store import Storage
from indexer.engines import BACKENDS

from .settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from dictionary.audio.library import Limits


def open_backend(settings: Settings) -> Backend:
    """The search backend the settings name (:data:`indexer.engines.BACKENDS`); engines load only
    when chosen."""
    opener = BACKENDS.get(settings.backend)
    if opener is None:
        raise ConfigurationError(f"backend {settings.backend!r} is not available in this build")
    return opener(settings)


def open_services(settings: Settings, *, readonly: bool = False, synthesiser: Synthesiser | None = None,
                  limits: Limits | None = None) -> Services:
    from dictionary.audio.library import Limits

    storage = Storage(settings.store_path, readonly=readonly, url=settings.database_url)
    if synthesiser is None:
        synthesiser = Synthesiser.configured(settings.speech)
    if limits is None:
        limits = Limits(synthetic_bytes=settings.synthetic_budget)
    from dictionary.growth.demand import DemandSettings

    return Services.compose(storage, open_backend(settings), settings.audio_dir, synthesiser, limits,
                            service_keys=settings.api_keys, packs_root=settings.packs_dir,
                            pack_interval=settings.pack_interval, four_eyes=settings.four_eyes,
                            demand=DemandSettings(settings.record_misses and not readonly, settings.misses_days),
                            sign_in=settings.sign_in)


def migrate(settings: Settings) -> tuple[int, int]:
    """Open the store for writing, which applies the migrations it lacks; the schema version it is
    at now and how many published entries it holds."""
    from dictionary.storage.schema import VERSION

    storage = Storage(settings.store_path, url=settings.database_url)
    try:
        return VERSION, storage.entries.count()
    finally:
        storage.close()


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    from api.app import create_app as make
    from api.ratelimit import Rule

    rules = {kind: Rule(per_minute, burst) for kind, (per_minute, burst) in settings.rate_limits.items()}
    services = services or open_services(settings)
    sso = None
    if settings.oidc is not None:
        from api.oidc import SingleSignOn

        sso = SingleSignOn(settings.oidc, services.federation)
    return make(services, rate_limits=rules, public_url=settings.public_url, timezone=settings.timezone,
                sso=sso, local_passwords=settings.local_passwords)


def serving_services(settings: Settings) -> Services:
    """The services of a serving process: glossaries and offline packs are made in child
    processes at a lower CPU priority (see :mod:`tudien.translation`, :mod:`tudien.packmaking`)."""
    from .packmaking import PackMaker
    from .translation import IsolatedTranslator

    services = open_services(settings)
    services.packs.elsewhere = PackMaker(settings, open_services)
    return replace(services, translator=IsolatedTranslator(settings, services.translator, open_services))


def app_from_env() -> FastAPI:
    """uvicorn's factory: the app of the settings in this process's environment."""
    from .lifetime import die_with_parent

    die_with_parent()  # a worker of `tudien serve --workers N` ends with its supervisor
    settings = Settings.from_env()
    app = create_app(settings, serving_services(settings))
    # What is alive now (modules, the app, the language tables) lives as long as the worker: out of
    # the collector's sight, a full collection takes 0.01 ms instead of 80 to 200 ms, which
    # every request in flight waited for (a good part of the HTTP tail).
    gc.collect()
    gc.freeze()
    return app
