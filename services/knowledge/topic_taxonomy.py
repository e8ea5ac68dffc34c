"""Knowledge's copy of each organisation's topic taxonomy (TopicTaxonomyChanged): recommendation reasons
name a goal's or conversation's topic by the organisation's label."""

from __future__ import annotations

from ementor.platform.topic_taxonomy import TaxonomyStore, document

from .documents import ALIAS

TopicTaxonomy = document(ALIAS, __name__)
TAXONOMY_DOCUMENTS = (TopicTaxonomy,)
STORE = TaxonomyStore(TopicTaxonomy)  # per process, cached per organisation
