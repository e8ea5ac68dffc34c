"""The labelled topic and risk sets are well formed, labelled only with known labels, large enough per
label in held-out, and keep held-out apart from tune (so a tagger measured on held-out was not tuned on it)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parents[3] / "bench" / "data"
ROLES = {"mentee", "mentor"}
HARD_NEGATIVE = "hard negative"


class LabelledSet:
    """One labelled family: where its files are, which key holds the labels, and its rules."""

    def __init__(self, name: str, labels_file: str, key: str, exclusive: str, minimum: int):
        self.name, self.key, self.exclusive = name, key, exclusive
        self.labels = set(json.loads((DATA / name / labels_file).read_text(encoding="utf-8")))
        self.fields = {"text", key, "role"} | ({"note"} if name == "risk" else set())
        self.minimum_heldout_rows = minimum

    def rows(self, split: str) -> list[dict]:
        lines = (DATA / self.name / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]

    def counts(self, split: str) -> Counter:
        return Counter(label for row in self.rows(split) for label in row[self.key])


TOPICS = LabelledSet("topics", "taxonomy.json", "topics", exclusive="small-talk", minimum=320)
RISK = LabelledSet("risk", "categories.json", "categories", exclusive="none", minimum=320)
FILES = [(family, split) for family in (TOPICS, RISK) for split in ("tune", "heldout")]
FILE_IDS = [f"{family.name}/{split}" for family, split in FILES]


def normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def test_taxonomy_and_categories_describe_every_label():
    taxonomy = json.loads((DATA / "topics" / "taxonomy.json").read_text(encoding="utf-8"))
    categories = json.loads((DATA / "risk" / "categories.json").read_text(encoding="utf-8"))
    assert len(taxonomy) == 17 and all(entry["label"] and entry["description"] for entry in taxonomy.values())
    assert set(categories) == {"self-harm", "abuse-disclosure", "grooming", "bullying", "contact-details", "none"}
    assert all(entry["definition"] and entry["why"] for entry in categories.values())


@pytest.mark.parametrize(("family", "split"), FILES, ids=FILE_IDS)
def test_every_line_is_a_json_object_with_the_expected_fields(family, split):
    path = DATA / family.name / f"{split}.jsonl"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)  # a malformed line fails here, naming the error
        where = f"{path.name}:{number}"
        assert isinstance(row, dict), where
        assert {"text", family.key, "role"} <= set(row) <= family.fields, f"{where}: fields {sorted(row)}"
        assert isinstance(row["text"], str) and row["text"] == row["text"].strip() and row["text"], where
        assert row["role"] in ROLES, f"{where}: role {row['role']!r}"
        assert isinstance(row.get("note", ""), str), where


@pytest.mark.parametrize(("family", "split"), FILES, ids=FILE_IDS)
def test_only_known_labels_each_once_and_the_exclusive_label_alone(family, split):
    for number, row in enumerate(family.rows(split), 1):
        labels = row[family.key]
        where = f"{family.name}/{split}.jsonl:{number}"
        assert isinstance(labels, list) and labels, f"{where}: no labels"
        assert set(labels) <= family.labels, f"{where}: unknown {sorted(set(labels) - family.labels)}"
        assert len(set(labels)) == len(labels), f"{where}: repeated label"
        assert family.exclusive not in labels or labels == [family.exclusive], (
            f"{where}: {family.exclusive} combined with another label"
        )


@pytest.mark.parametrize(("family", "split"), FILES, ids=FILE_IDS)
def test_no_text_appears_twice_in_a_file(family, split):
    texts = Counter(normalised(row["text"]) for row in family.rows(split))
    assert [text for text, seen in texts.items() if seen > 1] == []


@pytest.mark.parametrize("family", [TOPICS, RISK], ids=["topics", "risk"])
def test_no_heldout_text_is_in_tune(family):
    tune = {normalised(row["text"]) for row in family.rows("tune")}
    assert [row["text"] for row in family.rows("heldout") if normalised(row["text"]) in tune] == []


@pytest.mark.parametrize("family", [TOPICS, RISK], ids=["topics", "risk"])
def test_every_label_can_be_tuned(family):
    counts = family.counts("tune")
    assert {label: counts[label] for label in family.labels if counts[label] < 5} == {}


def test_topic_heldout_has_at_least_15_of_every_topic():
    counts = TOPICS.counts("heldout")
    assert len(TOPICS.rows("heldout")) >= TOPICS.minimum_heldout_rows
    assert {topic: counts[topic] for topic in TOPICS.labels if counts[topic] < 15} == {}


def test_risk_heldout_has_30_of_every_category_and_120_none_half_of_them_hard():
    rows = RISK.rows("heldout")
    counts = RISK.counts("heldout")
    hard_negatives = [row for row in rows if row["categories"] == ["none"]
                      and row.get("note", "").startswith(HARD_NEGATIVE)]
    assert len(rows) >= RISK.minimum_heldout_rows
    assert {c: counts[c] for c in RISK.labels - {"none"} if counts[c] < 30} == {}
    assert counts["none"] >= 120
    assert len(hard_negatives) >= 60


def test_a_hard_negative_note_is_only_on_rows_labelled_none():
    for split in ("tune", "heldout"):
        mislabelled = [row["text"] for row in RISK.rows(split)
                       if row.get("note", "").startswith(HARD_NEGATIVE) and row["categories"] != ["none"]]
        assert mislabelled == [], split
