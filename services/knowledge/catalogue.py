"""The searchable library of one organisation: the platform library, its own published articles,
and the platform articles it hides, with a search index cached per process.

Each replica keeps an index per organisation and rebuilds it when the organisation's revision (a
counter stored with the hidden list, moved by every publish, delete, hide and show) has moved. An
organisation without articles of its own shares the platform index.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .library import Article, split_passages
from .ranker import PassageIndex
from .repository import KnowledgeRepository
from .rules import Reader, may_read

CACHED_ORGANISATIONS = 64


@dataclass
class OrganisationLibrary:
    revision: int
    index: PassageIndex
    hidden: frozenset[str]
    masks: dict[Reader, np.ndarray] = field(default_factory=dict)

    def article(self, article_id: str) -> Article | None:
        return self.index.by_id.get(article_id)

    def allowed(self, reader: Reader) -> np.ndarray:
        """One bool per article of the index: may this reader see it."""
        mask = self.masks.get(reader)
        if mask is None:
            mask = np.array([may_read(reader, a, hidden=a.id in self.hidden) for a in self.index.articles],
                            dtype=bool)
            self.masks[reader] = mask
        return mask

    def readable(self, reader: Reader) -> list[Article]:
        mask = self.allowed(reader)
        return [a for a, ok in zip(self.index.articles, mask, strict=True) if ok]


def own_article(doc_id: str, fields: dict) -> Article:
    body = fields.get("body", "")
    return Article(
        id=doc_id, title=fields.get("title", ""), summary=fields.get("summary", ""), body=body,
        audience=fields.get("audience", "everyone"), min_age=int(fields.get("min_age", 13)),
        tags=tuple(fields.get("tags", ())), language=fields.get("language", "en"), platform=False,
        review_by=date.fromisoformat(fields["review_by"]) if fields.get("review_by") else None,
        passages=split_passages(doc_id, body),
    )


class Catalogue:
    def __init__(self, platform: list[Article], offload: Callable = lambda fn, *args: fn(*args)):
        # `offload(fn, *args)` runs an index build; the service passes one that runs it in a real
        # thread, so a large library's rebuild (seconds for 10,000 articles) never stalls other requests.
        self.offload = offload
        self.platform = platform
        self.platform_index = PassageIndex(platform)
        self._organisations: OrderedDict[str, OrganisationLibrary] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, repo: KnowledgeRepository, tenant_id: str) -> OrganisationLibrary:
        revision, hidden = repo.library_state(tenant_id)
        with self._lock:
            cached = self._organisations.get(tenant_id)
            if cached is not None and cached.revision == revision:
                self._organisations.move_to_end(tenant_id)
                return cached
        own = [own_article(doc.id, doc.published) for doc in repo.own_articles(tenant_id, published_only=True)]
        index = self.offload(PassageIndex, self.platform + own) if own else self.platform_index
        library = OrganisationLibrary(revision, index, hidden)
        with self._lock:
            self._organisations[tenant_id] = library
            while len(self._organisations) > CACHED_ORGANISATIONS:
                self._organisations.popitem(last=False)
        return library
