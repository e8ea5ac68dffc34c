"""The retention job as a mixin, for a service that deletes personal data on its organisations' periods.

The service names its own retention module (`store()` and `enforce(now)`, built on retention.py);
the mixin learns every organisation when it is created (the defaults apply until it sets its own),
follows RetentionPeriodsChanged, and runs the leased hourly job.

    class VideoService(Revocations, EnforcesRetention):
        retention_module = retention
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import ModuleType

from ementor_contracts import OrganisationCreated, RetentionPeriodsChanged

from .consumer import subscribe
from .loop_job import loop_job
from .retention import RETENTION_POLL_SECONDS, periods_of


class EnforcesRetention:
    retention_module: ModuleType

    # The time the job reads; tests replace it with a clock they move.
    retention_clock = staticmethod(lambda: datetime.now(UTC))

    @subscribe(RetentionPeriodsChanged)
    def on_retention_changed(self, event: RetentionPeriodsChanged, envelope):
        self.retention_module.store().learn(envelope.tenantid, periods_of(event), envelope.time)

    @subscribe(OrganisationCreated)
    def on_organisation_created(self, event: OrganisationCreated, envelope):
        self.retention_module.store().learn(envelope.tenantid, None)

    @loop_job(poll_seconds=RETENTION_POLL_SECONDS, leased=True)
    def enforce_retention(self):
        self.retention_module.enforce(self.retention_clock())
