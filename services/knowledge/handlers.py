"""Article use cases: read what the person may read; organisations write, publish, hide and delete."""

from __future__ import annotations

from ementor_contracts import ArticlePublished, ArticleRemoved

from ementor.platform.errors import Conflict, Invalid, NotFound
from ementor.platform.principal import Principal

from . import rendering, schemas
from .catalogue import Catalogue, OrganisationLibrary, own_article
from .documents import ArticleVersion, OwnArticle, PersonView, utcnow
from .library import Article
from .repository import KnowledgeRepository
from .rules import Reader, reader_for

TAGS = frozenset({
    "university-applications", "apprenticeships", "careers-and-jobs", "cvs-and-applications", "interviews",
    "study-skills", "money-and-finance", "wellbeing", "work-experience", "personal-statements", "online-safety",
    "mentoring-practice", "safeguarding", "goals", "confidence", "networking", "gap-year", "further-education",
})


def reader_of(repo: KnowledgeRepository, auth: Principal, person: PersonView | None = None) -> Reader:
    """The rules' reader; `person`: the reader's PersonView when the caller has read it already."""
    if not auth.is_person:
        return reader_for(auth.role, False, staff=True)
    person = person or repo.person(auth.tenant_id, auth.person_id)
    return reader_for(auth.role, person.is_minor if person and person.id else None, staff=False)


def _not_found(article_id: str) -> NotFound:
    return NotFound(f"no article {article_id} in this organisation's library")


def readable_article(repo: KnowledgeRepository, catalogue: Catalogue, auth: Principal,
                     article_id: str, person: PersonView | None = None) -> tuple[Article, OrganisationLibrary]:
    library = catalogue.of(repo, auth.tenant_id)
    article = library.article(article_id)
    if article is None:
        raise _not_found(article_id)
    if not library.allowed(reader_of(repo, auth, person))[library.index.position[article_id]]:
        raise _not_found(article_id)
    return article, library


def summary_view(article: Article, *, hidden: bool = False, status: str = "published", version: int = 1,
                 ) -> schemas.ArticleSummary:
    return schemas.ArticleSummary(
        id=article.id, title=article.title, summary=article.summary, audience=article.audience,
        min_age=article.min_age, tags=list(article.tags), language=article.language,
        origin="platform" if article.platform else "organisation", status=status, version=version,
        hidden=hidden, review_by=article.review_by, url=f"/v1/articles/{article.id}",
    )


def article_view(article: Article, *, hidden: bool = False, status: str = "published", version: int = 1,
                 draft: dict | None = None) -> schemas.Article:
    summary = summary_view(article, hidden=hidden, status=status, version=version)
    return schemas.Article(
        **summary.model_dump(), body=article.body, html=rendering.to_html(article.body),
        sections=[p.section for p in article.passages],
        sources=[schemas.Source(title=t, url=u) for t, u in article.sources],
        draft=schemas.ArticleFields(**draft) if draft else None,
    )


def _with_feedback(repo: KnowledgeRepository, auth: Principal, items: list) -> list:
    """Staff see each article's "Was this helpful?" counts; readers never do."""
    if auth.is_person or not items:
        return items
    counts = repo.feedback(auth.tenant_id)
    for item in items:
        helpful, not_helpful = counts.get(item.id, (0, 0))
        item.feedback = schemas.FeedbackCounts(helpful=helpful, not_helpful=not_helpful)
    return items


def list_articles(repo: KnowledgeRepository, catalogue: Catalogue, auth: Principal,
                  query: schemas.ArticlesQuery) -> schemas.ArticleList:
    library = catalogue.of(repo, auth.tenant_id)
    reader = reader_of(repo, auth)
    items = [summary_view(a, hidden=a.id in library.hidden) for a in library.readable(reader)]
    if reader.staff:  # drafts never published are the organisation's too
        items += [summary_view(own_article(d.id, d.draft), status="draft", version=0)
                  for d in repo.own_articles(auth.tenant_id, published_only=False) if d.status == "draft"]
    items = [i for i in items if (not query.tag or query.tag in i.tags)
             and (not query.language or i.language == query.language)]
    items.sort(key=lambda i: i.id)
    if query.cursor:
        items = [i for i in items if i.id > query.cursor]
    page = _with_feedback(repo, auth, items[: query.limit])
    return schemas.ArticleList(items=page, next_cursor=page[-1].id if len(items) > query.limit else None)


def get_article(repo: KnowledgeRepository, catalogue: Catalogue, auth: Principal, article_id: str) -> schemas.Article:
    person = reader_person(repo, auth) if auth.is_person else None  # read once: the rules and the events
    article = _with_feedback(repo, auth, [_get_article(repo, catalogue, auth, article_id, person)])[0]
    if person is not None:  # the reader's own answer, so the page shows it and lets them change it
        article.your_feedback = repo.feedback_of(auth.tenant_id, article.id, auth.person_id)
        repo.record_read(auth.tenant_id, article.id, article.title, person)
    return article


def reader_person(repo: KnowledgeRepository, auth: Principal) -> PersonView:
    """The reader as the reading events name them (their role from the token if profiles has not told us yet)."""
    return repo.person(auth.tenant_id, auth.person_id) or PersonView(person_id=auth.person_id, role=auth.role)


def _get_article(repo: KnowledgeRepository, catalogue: Catalogue, auth: Principal, article_id: str,
                 person: PersonView | None) -> schemas.Article:
    if not auth.is_person:
        doc = repo.own_article(auth.tenant_id, article_id)
        if doc is not None:
            fields = doc.published or doc.draft
            return article_view(own_article(doc.id, fields), status=doc.status, version=doc.version,
                                draft=doc.draft)
    article, library = readable_article(repo, catalogue, auth, article_id, person)
    return article_view(article, hidden=article.id in library.hidden)


def _check_tags(tags: list[str] | None) -> None:
    unknown = sorted(set(tags or ()) - TAGS)
    if unknown:
        raise Invalid(f"unknown tag(s) {', '.join(unknown)}; use the library's vocabulary",
                      details=[{"field": "tags", "message": f"known tags: {', '.join(sorted(TAGS))}"}])


def create_article(repo: KnowledgeRepository, auth: Principal, body: schemas.ArticleFields) -> OwnArticle:
    _check_tags(body.tags)
    article = OwnArticle(tenant_id=auth.tenant_id, draft=body.model_dump(mode="json"), created_by=auth.actor)
    repo.save_article(article)
    return article


def own_or_404(repo: KnowledgeRepository, auth: Principal, article_id: str) -> OwnArticle:
    article = repo.own_article(auth.tenant_id, article_id)
    if article is None:
        raise _not_found(article_id)
    return article


def patch_article(repo: KnowledgeRepository, catalogue: Catalogue, auth: Principal, article_id: str,
                  body: schemas.PatchArticle) -> schemas.Article:
    changes = body.model_dump(exclude_unset=True, mode="json")  # a review date is kept as its ISO text
    if article_id in {a.id for a in catalogue.platform}:
        if set(changes) != {"hidden"} or body.hidden is None:
            raise Conflict("a platform article cannot be edited; an organisation can only hide or show it "
                           "(send {\"hidden\": true})", code="platform_article")
        repo.set_hidden(auth.tenant_id, article_id, body.hidden)
        return get_article(repo, catalogue, auth, article_id)
    article = own_or_404(repo, auth, article_id)
    if "hidden" in changes:
        raise Invalid("only platform articles are hidden; delete or unpublish your own",
                      details=[{"field": "hidden", "message": "not for your own articles"}])
    _check_tags(changes.get("tags"))
    article.draft = {**article.draft, **changes}
    article.updated_at = utcnow()
    repo.save_article(article)
    return get_article(repo, catalogue, auth, article_id)


def publish_article(repo: KnowledgeRepository, catalogue: Catalogue, auth: Principal, article_id: str) -> schemas.Article:
    article = own_or_404(repo, auth, article_id)
    if article.status == "published" and article.published == article.draft:
        return get_article(repo, catalogue, auth, article_id)  # nothing new: no new version
    now = utcnow()
    article.version += 1
    article.published, article.status, article.updated_at = dict(article.draft), "published", now
    repo.add_version(ArticleVersion(id=f"{article.id}:{article.version}", tenant_id=auth.tenant_id,
                                    article_id=article.id, version=article.version, fields=article.published,
                                    published_by=auth.actor, published_at=now))
    fields = article.published
    article.record(ArticlePublished(
        article_id=article.id, article_version=article.version, title=fields["title"], audience=fields["audience"],
        min_age=fields["min_age"], tags=list(fields.get("tags", [])), language=fields["language"]))
    repo.save_article(article)
    repo.changed(auth.tenant_id)
    return get_article(repo, catalogue, auth, article_id)


def delete_article(repo: KnowledgeRepository, catalogue: Catalogue, auth: Principal, article_id: str) -> None:
    if article_id in {a.id for a in catalogue.platform}:
        raise Conflict("platform articles are not deleted; hide it with PATCH {\"hidden\": true}",
                       code="platform_article")
    article = own_or_404(repo, auth, article_id)
    article.deleted, article.delete_when_published = True, True
    article.record(ArticleRemoved(article_id=article.id))
    repo.save_article(article)
    repo.changed(auth.tenant_id)


def record_feedback(repo: KnowledgeRepository, catalogue: Catalogue, auth: Principal, article_id: str,
                    body: schemas.Helpful) -> schemas.FeedbackRecorded:
    """A reader's yes or no: one answer per reader per article, a change of mind replacing it."""
    person = reader_person(repo, auth)
    article, _ = readable_article(repo, catalogue, auth, article_id, person)
    previous = repo.answer_feedback(auth.tenant_id, article.id, person, body.helpful)
    return schemas.FeedbackRecorded(article_id=article.id, helpful=body.helpful, previous=previous)


def versions(repo: KnowledgeRepository, auth: Principal, article_id: str) -> schemas.VersionList:
    own_or_404(repo, auth, article_id)
    return schemas.VersionList(items=[
        schemas.Version(version=v.version, title=v.fields.get("title", ""), published_by=v.published_by,
                        published_at=v.published_at) for v in repo.versions(auth.tenant_id, article_id)])
