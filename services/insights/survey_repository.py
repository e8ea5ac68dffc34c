"""Storage of survey templates, due moments and surveys (mixed into InsightsRepository).

Every write is keyed so that a replayed or late event changes nothing it should not: a due
moment's time moves only with a higher session sequence, a cancellation is sticky, a survey is
inserted under an id derived from (tenant, moment, match, session, person) and so exists once,
and an answer is a conditional write on a survey nobody answered yet.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from ementor.platform.outbox import Pending

from .documents import Survey, SurveyDue, SurveyTemplate

COMMENTS_MAX = 500  # the latest comments of a range; the ratings behind them are all counted


def survey_id_of(tenant_id: str, moment: str, match_id: str, session_id: str | None, person_id: str) -> str:
    """The same survey for the same moment and person, however often it is issued (24 hex digits)."""
    return hashlib.sha1(f"{tenant_id}|{moment}|{match_id}|{session_id or ''}|{person_id}".encode()).hexdigest()[:24]


def _due_id(tenant_id: str, moment: str, match_id: str, session_id: str | None) -> str:
    return f"{tenant_id}:{moment}:{match_id}:{session_id or ''}"


class SurveyRepository:
    # -- templates ----------------------------------------------------------------------------
    def survey_template(self, tenant_id: str, programme_id: str) -> dict | None:
        doc = SurveyTemplate.raw().find_one({"_id": f"{tenant_id}:{programme_id}", "tenant_id": tenant_id})
        return doc.get("template") if doc else None

    def survey_templates(self, tenant_id: str, limit: int = 1000) -> list[dict]:
        """Every programme's saved template, in one read."""
        return [d["template"] for d in SurveyTemplate.raw().find({"tenant_id": tenant_id}, {"template": 1}).limit(limit)]

    def put_survey_template(self, tenant_id: str, programme_id: str, template: dict, by: str, now: datetime) -> None:
        SurveyTemplate.raw().update_one(
            {"_id": f"{tenant_id}:{programme_id}", "tenant_id": tenant_id},
            {"$set": {"programme_id": programme_id, "template": template, "updated_at": now, "updated_by": by}},
            upsert=True)

    # -- due moments --------------------------------------------------------------------------
    def _upsert_due(self, query: dict, update: dict) -> None:
        try:
            SurveyDue.raw().update_one(query, update, upsert=True)
        except DuplicateKeyError:
            pass  # the condition did not hold for the existing one: it already knows better

    def session_due(self, tenant_id: str, match_id: str, session_id: str, ends_at: datetime, seq: int) -> None:
        """A session's (new) end; only a higher sequence moves it."""
        _id = _due_id(tenant_id, "after_session", match_id, session_id)
        self._upsert_due({"_id": _id, "tenant_id": tenant_id, "$or": [{"seq": {"$lt": seq}}, {"seq": None}]},
                         {"$set": {"due_at": ends_at, "seq": seq},
                          "$setOnInsert": {"match_id": match_id, "moment": "after_session", "session_id": session_id,
                                           "status": "pending"}})

    def session_cancelled(self, tenant_id: str, match_id: str, session_id: str) -> None:
        """No survey for a cancelled session (unless it was already issued: then nothing changes)."""
        _id = _due_id(tenant_id, "after_session", match_id, session_id)
        self._upsert_due({"_id": _id, "tenant_id": tenant_id, "status": {"$ne": "issued"}},
                         {"$set": {"status": "void"},
                          "$setOnInsert": {"match_id": match_id, "moment": "after_session", "session_id": session_id}})

    def match_moment_due(self, tenant_id: str, match_id: str, moment: str, at: datetime) -> None:
        """The midpoint or end of a match: the earliest time heard of wins."""
        _id = _due_id(tenant_id, moment, match_id, None)
        self._upsert_due({"_id": _id, "tenant_id": tenant_id},
                         {"$min": {"due_at": at},
                          "$setOnInsert": {"match_id": match_id, "moment": moment, "status": "pending"}})

    def due_surveys(self, now: datetime, limit: int = 200) -> list[dict]:
        return list(SurveyDue.raw().across_tenants().find({"status": "pending", "due_at": {"$lte": now}})
                    .sort([("due_at", ASCENDING)]).limit(limit))

    def settle_due(self, due: dict, status: str) -> None:
        SurveyDue.raw().update_one({"_id": due["_id"], "tenant_id": due["tenant_id"], "status": "pending"},
                                   {"$set": {"status": status}})

    # -- surveys ------------------------------------------------------------------------------
    def add_survey(self, tenant_id: str, fields: dict, event) -> bool:
        """Insert the survey with its SurveyRequested in its outbox; False if it exists already."""
        try:
            Survey.raw().insert_one({"_id": f"{tenant_id}:{fields['survey_id']}", "tenant_id": tenant_id, **fields,
                                     "outbox": [Pending.of(event, tenant_id).stored()]})
            return True
        except DuplicateKeyError:
            return False

    def survey(self, tenant_id: str, survey_id: str) -> dict | None:
        return Survey.raw().find_one({"_id": f"{tenant_id}:{survey_id}", "tenant_id": tenant_id})

    def open_surveys_of(self, tenant_id: str, person_id: str, now: datetime, limit: int = 50) -> list[dict]:
        return list(Survey.raw().find({"tenant_id": tenant_id, "person_id": person_id, "answered_at": None,
                                       "closes_at": {"$gt": now}}).sort([("issued_at", DESCENDING)]).limit(limit))

    def answer_survey(self, tenant_id: str, survey_id: str, ratings: dict, comment: str | None, now: datetime,
                      pending: Pending) -> bool:
        """Store the answer and its SurveySubmitted in one write, if nobody answered it yet."""
        result = Survey.raw().update_one(
            {"_id": f"{tenant_id}:{survey_id}", "tenant_id": tenant_id, "answered_at": None},
            {"$set": {"answered_at": now, "ratings": ratings, "comment": comment or None},
             "$push": {"outbox": pending.stored()}})
        return result.modified_count == 1

    def survey_comments(self, tenant_id: str, programme_id: str | None, start: datetime, end: datetime,
                        limit: int = COMMENTS_MAX) -> list[dict]:
        """The comments of surveys issued in [start, end), latest answered first (staff only)."""
        query: dict = {"tenant_id": tenant_id, "issued_at": {"$gte": start, "$lt": end}, "comment": {"$ne": None}}
        if programme_id is not None:
            query["programme_id"] = programme_id
        fields = {"survey_id": 1, "match_id": 1, "moment": 1, "role": 1, "answered_at": 1, "comment": 1}
        found = list(Survey.raw().find(query, fields).sort([("issued_at", DESCENDING)]).limit(limit))
        return sorted(found, key=lambda c: c["answered_at"], reverse=True)

    def forget_survey_person(self, tenant_id: str, person_id: str) -> None:
        """Erasure: the person's open surveys go; answered ones keep their ratings, without who or the comment."""
        Survey.raw().delete_many({"tenant_id": tenant_id, "person_id": person_id, "answered_at": None})
        Survey.raw().update_many({"tenant_id": tenant_id, "person_id": person_id},
                                 {"$set": {"person_id": None, "comment": None}})
