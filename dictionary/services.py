"""The domain's services over one store and one search backend, composed in one place.

The program opens the store (:class:`dictionary.storage.store.Storage`) and builds the parts
(which backend, which voices) from its settings and hands them to :meth:`Services.compose`, which
gives each service the rooms of the store it needs; the HTTP API, the command line, the
benchmarks and the tests all receive the same object, and ask its services, never the rooms.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dictionary.audio.library import AudioLibrary, Limits
from dictionary.audio.synth import Synthesiser
from dictionary.catalogue import LanguageCatalogue
from dictionary.collection import Collection
from dictionary.editorial.accounts import Accounts
from dictionary.editorial.audit_trail import AuditTrail
from dictionary.editorial.editing import Editing
from dictionary.editorial.federated import Federation
from dictionary.editorial.policy import Policy
from dictionary.editorial.review import TeamRules
from dictionary.growth.campaigns import RecordingCampaigns
from dictionary.growth.coverage import Coverage
from dictionary.growth.demand import Counter, DemandSettings
from dictionary.growth.worklist import Worklist
from dictionary.packs.pack import PackShelf
from dictionary.search.indexing import Follower
from dictionary.search.ports import Backend
from dictionary.search.service import SearchService
from dictionary.search.translate import Glossary, Translator
from dictionary.storage.store import Storage


class Translating(Protocol):
    """What callers ask of a translator: the domain's own, or one whose work runs elsewhere (the
    serving process hands glossaries to a child process at a lower priority)."""

    def validate(self, text: str | None, targets: list[str] | None) -> tuple[str, list[str]]: ...

    def translate(self, text: str | None, targets: list[str] | None) -> Glossary: ...

    def close(self) -> None: ...


@dataclass
class Services:
    backend: Backend
    search: SearchService
    collection: Collection
    audio: AudioLibrary
    translator: Translating
    accounts: Accounts
    editing: Editing
    follower: Follower
    packs: PackShelf
    catalogue: LanguageCatalogue
    demand: Counter  # misses and look-ups, counted in memory, written in batches
    worklist: Worklist
    campaigns: RecordingCampaigns
    coverage: Coverage
    audit: AuditTrail  # the audit log exported and its chain verified
    federation: Federation  # accounts and sessions signed in through the identity provider
    storage: Storage  # to close: the services hold its rooms

    @classmethod
    def compose(cls, storage: Storage, backend: Backend, audio_root: Path, synthesiser: Synthesiser,
                limits: Limits | None = None, service_keys: tuple[str, ...] = (),
                packs_root: Path | None = None, pack_interval: float = 10.0, four_eyes: bool = True,
                demand: DemandSettings | None = None, sign_in: Policy | None = None) -> Services:
        entries, feed = storage.entries, storage.feed
        search = SearchService(entries, backend)
        follower = Follower(entries, feed, backend)
        audio = AudioLibrary(storage.clips, entries, feed, audio_root, synthesiser, limits,
                             public_changed=follower.changed)
        packs = PackShelf(entries, feed, packs_root or Path(audio_root).parent / "packs", audio=audio,
                          interval=pack_interval)
        demand = demand or DemandSettings()
        accounts = Accounts(storage.accounts, service_keys, sign_in)
        worklist = Worklist(storage.demand, storage.requests, search, demand.days)
        return cls(backend, search, Collection(entries, storage.datasets, follower), audio, Translator(search),
                   accounts,
                   Editing(entries, storage.suggestions, storage.audit, follower,
                           TeamRules(storage.teams, four_eyes)), follower, packs,
                   LanguageCatalogue(entries, storage.browse),
                   Counter(storage.demand, demand, forget=worklist.forget_contacts),
                   worklist, RecordingCampaigns(storage.campaigns, entries, audio, public_changed=follower.changed),
                   Coverage(storage.campaigns, worklist), AuditTrail(storage.audit),
                   Federation(storage.identities, accounts, storage.audit), storage)

    def close(self) -> None:
        self.demand.stop()  # what is buffered is written
        self.packs.stop()
        self.follower.stop()
        self.backend.close()
        self.storage.close()
