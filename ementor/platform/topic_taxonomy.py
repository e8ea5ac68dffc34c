"""Each organisation's topic taxonomy as the services hold it: one document per organisation, read cached.

Messaging owns the entries (`GET/PUT /v1/settings/topics`) and records TopicTaxonomyChanged in the
same write (its document is an outbox document). Matching and insights keep their own copy
(`document(alias, module)` makes the class) and follow the event with `FollowsTopicTaxonomy`; the
highest revision wins, in any order. Every copy also remembers each label a topic ever had, so a
report over weeks when a since-removed topic was in use still names it.
"""

from __future__ import annotations

import time
from typing import ClassVar

from ementor_contracts import TopicTaxonomyChanged
from mongoengine import DateTimeField, DictField, IntField, ListField, StringField

from .consumer import subscribe
from .tenancy import TenantDocument
from .topics import Taxonomy, default_labels, taxonomy_from

CACHE_SECONDS = 5.0  # a change reaches every replica within this; the writing replica sees it at once
CACHE_SIZE = 10_000


def document(alias: str, module: str, base: type = TenantDocument) -> type:
    """The service's `topic_taxonomy` collection (messaging passes an outbox document as `base`)."""
    return type("TopicTaxonomy", (base,), {
        "__module__": module, "__doc__": "An organisation's changes to the default topic taxonomy.",
        "id": StringField(primary_key=True),  # the organisation id
        "entries": ListField(DictField()), "revision": IntField(default=0),
        "labels": DictField(),  # every label a topic ever had here: id -> latest label
        "updated_at": DateTimeField(), "updated_by": StringField(),
        "meta": {"db_alias": alias, "collection": "topic_taxonomy", "indexes": []}})


class TaxonomyStore:
    """Reads (cached per organisation) and, for a follower, learns an organisation's taxonomy."""

    def __init__(self, doc: type):
        self.doc = doc
        self._cache: dict[str, tuple[float, int, Taxonomy, dict]] = {}

    def stored(self, tenant_id: str) -> dict:
        return self.doc.raw().find_one({"_id": tenant_id, "tenant_id": tenant_id}) or {}

    def taxonomy(self, tenant_id: str) -> Taxonomy:
        return self._read(tenant_id)[2]

    def labels(self, tenant_id: str) -> dict[str, str]:
        """A label for every topic this organisation has ever had, defaults included, current ones last."""
        return self._read(tenant_id)[3]

    def _read(self, tenant_id: str) -> tuple[float, int, Taxonomy, dict]:
        cached = self._cache.get(tenant_id)
        now = time.monotonic()
        if cached and cached[0] > now:
            return cached
        found = self.stored(tenant_id)
        revision = found.get("revision", 0)
        if cached and cached[1] == revision:  # unchanged: keep the compiled taxonomy
            value = (now + CACHE_SECONDS, *cached[1:])
        else:
            taxonomy = taxonomy_from(found.get("entries"))
            value = (now + CACHE_SECONDS, revision, taxonomy,
                     {**default_labels(), **(found.get("labels") or {}), **taxonomy.labels()})
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()
        self._cache[tenant_id] = value
        return value

    def forget(self, tenant_id: str) -> None:
        self._cache.pop(tenant_id, None)

    def learn(self, tenant_id: str, entries: list[dict], revision: int) -> None:
        """Keep the entries of `revision` unless a later one is already here (at least once, any order)."""
        key = {"_id": tenant_id, "tenant_id": tenant_id}
        change = {"entries": entries, "revision": revision, **label_updates(entries)}
        # Insert first, then replace an older revision: two first events racing still end on the later one.
        self.doc.raw().update_one(key, {"$setOnInsert": change}, upsert=True)
        self.doc.raw().update_one({**key, "revision": {"$lt": revision}}, {"$set": change})
        self.forget(tenant_id)


def label_updates(entries: list[dict]) -> dict[str, str]:
    """`$set` paths that remember each label in force (ids are slugs: safe as field names)."""
    return {f"labels.{topic.id}": topic.label for topic in taxonomy_from(entries).topics}


class FollowsTopicTaxonomy:
    """A service that tags or labels topics with its organisations' taxonomies (its copy: `topic_store`)."""

    topic_store: ClassVar[TaxonomyStore]

    @subscribe(TopicTaxonomyChanged)
    def on_topic_taxonomy_changed(self, event: TopicTaxonomyChanged, envelope):
        entries = [t.model_dump(exclude_defaults=True) for t in event.topics]
        self.topic_store.learn(envelope.tenantid, entries, event.revision)
