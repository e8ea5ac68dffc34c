"""Video service benchmark: invites, signed links, slot locks and the reminder job.

    /work/main/.venv/bin/python -m bench.video [--json] [--quick]

Storage figures run on the in-process mongomock stand-in (no MongoDB server here), so they
measure our code path and the number of round trips, not a real server's latency.
"""

from __future__ import annotations

import time
from datetime import timedelta

from bench.report import Report, arguments


def per_call(fn, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


def main(argv=None) -> int:
    args = arguments("video service benchmark", argv)
    report = Report("video", as_json=args.json)
    scale = 0.1 if args.quick else 1.0

    import mongoengine

    from ementor.platform import mongo
    from ementor.platform.errors import Conflict
    from ementor.platform.principal import Principal
    from services.video import domain, handlers, ics, reminders, schemas
    from services.video.documents import DOCUMENTS, new_id, utcnow
    from services.video.links import JitsiMeet, Participant
    from services.video.repository import VideoRepository

    now = utcnow()
    start = now + timedelta(days=1)
    report.note("storage figures use the in-process mongomock stand-in")

    # -- pure parts ---------------------------------------------------------------------------
    invite = ics.Invite(session_id=new_id(), sequence=1, cancelled=False, starts_at=start,
                        ends_at=start + timedelta(minutes=45), stamp=now, join_url="https://meet.example.org/r?jwt=x",
                        attendees=(ics.Attendee("m", "Amara Okafor", "mentor"), ics.Attendee("e", "Jamie", "mentee")))
    repeat = max(100, int(2000 * scale))
    report.figure("ics invite build", per_call(lambda: ics.build(invite), repeat) * 1e6, "µs/invite", repeat=repeat)

    jitsi = JitsiMeet("https://video.example.org", app_id="ementor", app_secret="s" * 40)
    mentor = Participant("m", "Amara Okafor", moderator=True)
    report.figure("jitsi join link with signed JWT",
                  per_call(lambda: jitsi.join_url("ementor-room", mentor, start, start + timedelta(minutes=45)),
                           repeat) * 1e6, "µs/link", repeat=repeat)

    calendar = [domain.Booking(f"s{i}", start + timedelta(hours=2 * i), start + timedelta(hours=2 * i, minutes=45), now)
                for i in range(200)]
    free = domain.Booking("new", start + timedelta(hours=401), start + timedelta(hours=402), now)
    report.figure("overlap check on a 200-entry calendar",
                  per_call(lambda: domain.place_booking(calendar, free, now), repeat) * 1e6, "µs/check",
                  entries=200)

    # -- storage ------------------------------------------------------------------------------
    mongo.open_database("video", None, DOCUMENTS)
    repo = VideoRepository()
    tenant = "bench-tenant"
    coordinator = Principal(role="coordinator", tenant_id=tenant)
    # A small organisation's worth: mongomock scans whole collections, so bigger sets measure mongomock.
    pairs = 10 if args.quick else 20
    per_pair = 3 if args.quick else 5
    for i in range(pairs):
        repo.record_match(tenant, f"match-{i}", f"mentor-{i}", f"mentee-{i}", None, "active", now)

    started = time.perf_counter()
    booked = 0
    for n in range(per_pair):
        for i in range(pairs):
            body = schemas.ScheduleSession(starts_at=start + timedelta(hours=n), duration_minutes=45)
            handlers.schedule_session(repo, jitsi, coordinator, f"match-{i}", body, now=now)
            booked += 1
    elapsed = time.perf_counter() - started
    report.figure("sessions scheduled (slot locks for both people, session, reminders)", booked / elapsed,
                  "sessions/s", sessions=booked)

    attempts = 10 if args.quick else 30
    started = time.perf_counter()
    refused = 0
    for _ in range(attempts):
        body = schemas.ScheduleSession(starts_at=start + timedelta(minutes=20), duration_minutes=45)
        try:
            handlers.schedule_session(repo, jitsi, coordinator, "match-0", body, now=now)
        except Conflict:
            refused += 1
    report.figure("overlapping booking refused", (time.perf_counter() - started) / attempts * 1e3, "ms/attempt",
                  refused=f"{refused}/{attempts}")

    # 14 minutes before the first slot: the first sessions' 15-minute reminders, and the later ones'
    # 24-hour reminders, are due; the job sends one per session and skips the ones it superseded.
    at = start - timedelta(minutes=14)
    started = time.perf_counter()
    fired = reminders.fire_due_reminders(repo, now=at)
    tick = time.perf_counter() - started
    report.figure("reminder job tick", tick * 1e3, "ms/tick", reminders_fired=fired)
    report.figure("reminders fired", fired / tick if tick else 0.0, "reminders/s")
    started = time.perf_counter()
    again = reminders.fire_due_reminders(repo, now=at)
    report.figure("reminder job tick with nothing left due", (time.perf_counter() - started) * 1e3, "ms/tick",
                  reminders_fired=again)
    mongoengine.disconnect("video")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
