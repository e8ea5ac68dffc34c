"""Keeps the embedded development store (mongomock) across restarts.

mongomock lives in the process's memory. With EMENTOR_DATA_DIR set (`ementor dev` sets
`.ementor/data` unless told otherwise) each service's database is written to
`<dir>/<database>.bson` every SNAPSHOT_SECONDS when it changed, and when the service stops, and
read back when it starts. A snapshot is one file written aside and renamed over the old one, so a
kill -9 leaves the previous or the next snapshot, never half of one: it loses at most the last
SNAPSHOT_SECONDS of writes. BSON keeps what MongoDB would (datetimes to the millisecond).
Production uses MongoDB (settings refuse the embedded store there); this is for development only.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import bson
import eventlet
from bson.codec_options import CodecOptions
from mongoengine.connection import get_db

log = logging.getLogger(__name__)

SNAPSHOT_SECONDS = 1.0
CODEC = CodecOptions(tz_aware=True)

_stores: dict[str, DevStore] = {}
_loop = None


class DevStore:
    def __init__(self, alias: str, data_dir: Path):
        self.db = get_db(alias)
        self.path = Path(data_dir) / f"{self.db.name}.bson"
        self._digest: bytes | None = None

    def restore(self) -> int:
        """Load the last snapshot into the (empty) database; the number of documents read."""
        if not self.path.exists():
            return 0
        by_collection: dict[str, list] = {}
        for record in bson.decode_all(self.path.read_bytes(), CODEC):
            by_collection.setdefault(record["c"], []).append(record["d"])
        for name, documents in by_collection.items():
            self.db[name].insert_many(documents)
        self._digest = hashlib.sha256(self.path.read_bytes()).digest()
        return sum(map(len, by_collection.values()))

    def snapshot(self) -> bool:
        """Write the database if it changed since the last snapshot; True if written."""
        # mongomock never yields to the hub, so these reads see one consistent state.
        data = b"".join(
            bson.encode({"c": name, "d": document}, codec_options=CODEC)
            for name in sorted(self.db.list_collection_names())
            for document in self.db[name].find({})
        )
        digest = hashlib.sha256(data).digest()
        if digest == self._digest:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".bson.tmp")
        with open(temporary, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        self._digest = digest
        return True


def keep(alias: str, data_dir: str) -> None:
    """Restore the alias's database from data_dir and keep snapshotting it (once per alias)."""
    global _loop
    if alias in _stores:
        return
    store = _stores[alias] = DevStore(alias, Path(data_dir))
    restored = store.restore()
    log.warning("%s: the in-process store is kept in %s (%d documents restored); production needs MongoDB",
                alias, store.path, restored)
    if _loop is None:
        _loop = eventlet.spawn(_snapshot_forever)


def flush(alias: str) -> None:
    """Write the alias's database now (at shutdown)."""
    if (store := _stores.get(alias)) is not None:
        store.snapshot()


def _snapshot_forever() -> None:
    while True:
        eventlet.sleep(SNAPSHOT_SECONDS)
        for alias, store in list(_stores.items()):
            try:
                store.snapshot()
            except Exception:  # a full disk must not stop the service; logged at every try
                log.exception("%s: could not write the development store snapshot", alias)
