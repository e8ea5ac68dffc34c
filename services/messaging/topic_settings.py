"""The organisation's conversation topics: messaging tags with them and announces every change.

The entries (ementor/platform/topic_entries.py) and TopicTaxonomyChanged are stored in one write,
guarded by the revision, so two coordinators saving at once both end up announced in order.
"""

from __future__ import annotations

from datetime import datetime

from ementor_contracts import TopicTaxonomyChanged
from pymongo.errors import DuplicateKeyError

from ementor.platform import topic_entries, topics
from ementor.platform.errors import Conflict, Invalid
from ementor.platform.outbox import OutboxDocument, Pending
from ementor.platform.principal import Principal
from ementor.platform.topic_taxonomy import TaxonomyStore, document, label_updates

from . import schemas
from .documents import ALIAS

TopicTaxonomy = document(ALIAS, __name__, OutboxDocument)
TOPIC_DOCUMENTS = (TopicTaxonomy,)
STORE = TaxonomyStore(TopicTaxonomy)  # per process: what post_message tags with, cached per organisation
SAVE_ATTEMPTS = 3


def tag(tenant_id: str, text: str) -> list[str]:
    """The topic ids of a delivered message, by the organisation's taxonomy (MessageSent.topics)."""
    return topics.tag(text, STORE.taxonomy(tenant_id))


def view(tenant_id: str) -> schemas.TopicSettingsView:
    stored = STORE.stored(tenant_id)
    in_force, removed = topic_entries.describe(stored.get("entries") or [])
    return schemas.TopicSettingsView(
        topics=[schemas.TopicView(id=t.id, label=t.label, keywords=t.keywords, source=t.source,
                                  default_label=t.default_label) for t in in_force],
        removed=[schemas.RemovedTopic(id=t.id, label=t.label) for t in removed],
        revision=stored.get("revision", 0),
        limits=schemas.TopicLimits(topics=topic_entries.MAX_TOPICS, keywords_per_topic=topic_entries.MAX_KEYWORDS,
                                   keyword_chars=topic_entries.MAX_KEYWORD_CHARS,
                                   label_chars=topic_entries.MAX_LABEL_CHARS),
        updated_at=stored.get("updated_at"), updated_by=stored.get("updated_by"))


def put(auth: Principal, body: schemas.UpdateTopics, now: datetime) -> schemas.TopicSettingsView:
    auth.require_coordinator()
    try:
        entries = topic_entries.clean([e.model_dump() for e in body.topics])
    except topic_entries.Problem as problem:
        raise Invalid(problem.message, details=[{"field": problem.field, "message": problem.message}]) from None
    tenant_id = auth.tenant_id
    for _ in range(SAVE_ATTEMPTS):
        revision = STORE.stored(tenant_id).get("revision", 0) + 1
        event = TopicTaxonomyChanged(organisation_id=tenant_id, revision=revision, topics=entries)
        try:
            # One write: the entries and their event, only over the revision read (else someone saved meanwhile).
            TopicTaxonomy.raw().update_one(
                {"_id": tenant_id, "tenant_id": tenant_id, "revision": revision - 1},
                {"$set": {"entries": entries, "revision": revision, "updated_at": now, "updated_by": auth.actor,
                          **label_updates(entries)},
                 "$push": {"outbox": Pending.of(event, tenant_id).stored()}}, upsert=True)
        except DuplicateKeyError:  # another save took this revision: read again
            continue
        STORE.forget(tenant_id)
        return view(tenant_id)
    raise Conflict("the topics were being changed by someone else; try again", code="topics_busy")
