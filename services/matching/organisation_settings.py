"""Matching weights and constraints: the organisation's default, or a programme's own."""

from __future__ import annotations

from ementor.platform.errors import Invalid, NotFound
from ementor.platform.principal import Principal

from . import domain, schemas
from .repository import MatchingRepository


def get_settings(repo: MatchingRepository, auth: Principal, programme_id: str | None) -> schemas.MatchingSettings:
    auth.require_coordinator()
    if programme_id is not None:
        programme_or_404(repo, auth.tenant_id, programme_id)
    doc, source = None, "default"
    if programme_id is not None:
        doc = repo.settings(auth.tenant_id, programme_id)
        source = "programme" if doc else source
    if doc is None:
        doc = repo.settings(auth.tenant_id, None)
        source = "organisation" if doc else "default"
    rules = domain.rules_from(doc.get("weights") if doc else None, doc.get("min_shared_interests") if doc else None,
                              doc.get("field_key") if doc else None)
    return schemas.MatchingSettings(
        programme_id=programme_id, weights=schemas.Weights(**rules.weights.as_dict()),
        min_shared_interests=rules.min_shared_interests, field_key=rules.field_key, inherited_from=source,
        updated_at=doc.get("updated_at") if doc else None)


def put_settings(repo: MatchingRepository, auth: Principal, body: schemas.PutSettings) -> schemas.MatchingSettings:
    auth.require_coordinator()
    fields = None
    if body.programme_id is not None:
        programme = programme_or_404(repo, auth.tenant_id, body.programme_id)
        if programme is not None:
            fields = [domain.ProgrammeField(f["key"], f["type"], tuple(f.get("options") or ()))
                      for f in programme.get("custom_fields", [])]
    weights = body.weights.model_dump()
    try:
        domain.validate_settings(weights, body.min_shared_interests, body.field_key, fields)
    except domain.InvalidSettings as exc:
        raise Invalid(exc.message, details=[{"field": exc.field, "message": exc.message}])
    repo.save_settings(auth.tenant_id, body.programme_id, weights, body.min_shared_interests, body.field_key)
    repo.bump(auth.tenant_id)
    return get_settings(repo, auth, body.programme_id)


def programme_or_404(repo: MatchingRepository, tenant_id: str, programme_id: str) -> dict | None:
    programme = repo.programme(tenant_id, programme_id)
    if programme is None and not repo.has_candidates(tenant_id, programme_id):
        raise NotFound(f"no programme {programme_id} in this organisation")
    return programme
