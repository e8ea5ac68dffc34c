"""`ementor audit verify --organisation ID`: check an organisation's safeguarding audit chain.

Reads the safeguarding service's database (MONGODB_URI) directly, so it works while the service is
down; says where the chain breaks (an edited, deleted or reordered entry) and exits 1 if it does.
"""

from __future__ import annotations

import sys

from .platform import mongo
from .platform.settings import CommonSettings


def add_command(command) -> None:
    audit = command("audit", "Verify an organisation's hash-chained safeguarding audit",
                    "Reads the safeguarding database (MONGODB_URI); exits 1 and says where the chain breaks.")
    audit.add_argument("action", choices=["verify"], help="check every link of the chain")
    audit.add_argument("--organisation", required=True, help="the organisation's id")


def verify(settings: CommonSettings, organisation_id: str, out=sys.stdout) -> int:
    from services.safeguarding import audit
    from services.safeguarding.documents import DOCUMENTS
    from services.safeguarding.repository import SafeguardingRepository

    mongo.open_database("safeguarding", settings.MONGODB_URI, DOCUMENTS)
    read, broken = audit.verify(SafeguardingRepository(), organisation_id)
    if broken is None:
        print(f"organisation {organisation_id}: {read} audit entries, the chain is whole", file=out)
        return 0
    print(f"organisation {organisation_id}: the chain breaks at entry {broken.seq}: {broken.problem} "
          f"({read} entries read)", file=out)
    return 1
