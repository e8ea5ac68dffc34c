"""Matching's copy of each organisation's topic taxonomy (TopicTaxonomyChanged), to tag goal titles (GoalSet.topics) with it."""

from __future__ import annotations

from ementor.platform.topic_taxonomy import TaxonomyStore, document

from .documents import ALIAS

TopicTaxonomy = document(ALIAS, __name__)
TAXONOMY_DOCUMENTS = (TopicTaxonomy,)
STORE = TaxonomyStore(TopicTaxonomy)  # per process, cached per organisation
