"""The candidate cache: an in-memory view of each organisation's candidates, kept in step with MongoDB, for fast recommendations.

A recommendation must score a mentee against every mentor of the programme in a few
milliseconds, so each replica keeps the mentors as arrays (a `MentorIndex`) rather than reading
thousands of documents per request. Every change recommendations depend on (a profile, a
mentor's load, a declined or ended pair, the settings) bumps the organisation's revision counter
in MongoDB *after* it is written. A request reads that counter (one tiny document): unchanged,
the view is current; changed, the view fetches only what changed since its last sync (with a
few seconds of overlap, so writes committed out of order are not missed) and re-applies it.
Whatever replica handled an event or an accept, every replica sees it on its next request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .domain import Candidate, rules_from
from .repository import MatchingRepository
from .scoring import MentorIndex, Rules

OVERLAP = timedelta(seconds=5)
MAX_TENANTS = 32


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ProgrammeIndex:
    index: MentorIndex
    rules: Rules
    built_hour: datetime


class TenantView:
    def __init__(self, tenant_id: str):
        self.tenant_id = tenant_id
        self.rev = -1
        self.synced_from: datetime | None = None
        self.people: dict[str, Candidate] = {}
        self.active: dict[str, int] = {}
        self.closed: dict[str, set[str]] = {}
        self.settings: dict[str | None, Rules] = {}
        self.indexes: dict[str | None, ProgrammeIndex] = {}
        self.lock = threading.Lock()

    # -- sync ---------------------------------------------------------------------------------------
    def sync(self, repo: MatchingRepository) -> None:
        rev = repo.revision(self.tenant_id)
        if rev == self.rev:
            return
        with self.lock:
            if rev == self.rev:
                return
            started = now()
            if self.synced_from is None:
                self._load_all(repo)
            else:
                self._load_changes(repo, self.synced_from - OVERLAP)
            self.rev, self.synced_from = rev, started

    def _load_all(self, repo: MatchingRepository) -> None:
        self.people = {d["_id"]: Candidate.from_document(d)
                       for d in repo.candidates(self.tenant_id, any_programme=True)}
        self.active = {mentor_id: int(d.get("active", 0)) for mentor_id, d in repo.loads(self.tenant_id).items()}
        self.closed = {}
        for mentee_id, mentor_id in repo.closed_pairs(self.tenant_id):
            self.closed.setdefault(mentee_id, set()).add(mentor_id)
        self._load_settings(repo)
        self.indexes = {}

    def _load_changes(self, repo: MatchingRepository, since: datetime) -> None:
        for doc in repo.changed_candidates(self.tenant_id, since):
            before = self.people.get(doc["_id"])
            after = None if doc.get("erased") else Candidate.from_document(doc)
            if after is None:
                self.people.pop(doc["_id"], None)
            else:
                self.people[doc["_id"]] = after
            if before != after:
                for person in (before, after):
                    if person is not None and person.role == "mentor":
                        self.indexes.pop(person.programme_id, None)
        for doc in repo.changed_loads(self.tenant_id, since):
            active = int(doc.get("active", 0))
            if self.active.get(doc["_id"]) != active:
                self.active[doc["_id"]] = active
                self._update_places(doc["_id"])
        for mentee_id, mentor_id in repo.closed_pairs(self.tenant_id, since):
            self.closed.setdefault(mentee_id, set()).add(mentor_id)
        before = dict(self.settings)
        self._load_settings(repo)
        if before != self.settings:
            self.indexes = {}

    def _load_settings(self, repo: MatchingRepository) -> None:
        self.settings = {d.get("programme_id"): rules_from(d.get("weights"), d.get("min_shared_interests"),
                                                           d.get("field_key"))
                         for d in repo.all_settings(self.tenant_id)}

    def _update_places(self, mentor_id: str) -> None:
        mentor = self.people.get(mentor_id)
        if mentor is None:
            return
        built = self.indexes.get(mentor.programme_id)
        if built is not None and mentor_id in built.index.position:
            built.index.set_places(built.index.position[mentor_id], self.places(mentor))

    # -- reading ------------------------------------------------------------------------------------
    def places(self, mentor: Candidate) -> int:
        return max(0, mentor.capacity - self.active.get(mentor.id, 0))

    def rules(self, programme_id: str | None) -> Rules:
        return self.settings.get(programme_id) or self.settings.get(None) or Rules()

    def index(self, programme_id: str | None) -> ProgrammeIndex:
        at = now()
        hour = at.replace(minute=0, second=0, microsecond=0)
        built = self.indexes.get(programme_id)
        if built is None or built.built_hour != hour:  # time-zone offsets move with daylight saving
            with self.lock:
                built = self.indexes.get(programme_id)
                if built is None or built.built_hour != hour:
                    rules = self.rules(programme_id)
                    mentors = sorted((p for p in self.people.values()
                                      if p.role == "mentor" and p.programme_id == programme_id), key=lambda p: p.id)
                    index = MentorIndex([m.person(at, self.places(m)) for m in mentors], rules)
                    built = self.indexes[programme_id] = ProgrammeIndex(index, rules, hour)
        return built


class CandidateCache:
    """The views of the organisations this replica has served lately (least recently used dropped)."""

    def __init__(self, repo: MatchingRepository, max_tenants: int = MAX_TENANTS):
        self.repo = repo
        self.max_tenants = max_tenants
        self._views: OrderedDict[str, TenantView] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tenant_id: str) -> TenantView:
        with self._lock:
            view = self._views.get(tenant_id)
            if view is None:
                view = self._views[tenant_id] = TenantView(tenant_id)
            self._views.move_to_end(tenant_id)
            while len(self._views) > self.max_tenants:
                self._views.popitem(last=False)
        view.sync(self.repo)
        return view

    def forget(self) -> None:
        with self._lock:
            self._views.clear()
