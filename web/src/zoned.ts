// Wall-clock times in a named time zone (the person's, from their profile), for
// <input type="datetime-local">: the browser's own zone may be another one.

function offsetMinutes(instant: number, zone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/** "2026-05-01T17:30" read as a wall-clock time in `zone` → an ISO instant with Z. */
export function zonedToIso(local: string, zone: string): string {
  const [date, time] = local.split("T");
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let instant = wall - offsetMinutes(wall, zone) * 60_000;
  instant = wall - offsetMinutes(instant, zone) * 60_000; // once more, across a clock change
  return new Date(instant).toISOString();
}

/** An instant → "2026-05-01T17:30" as the wall clock shows it in `zone`. */
export function isoToZoned(iso: string, zone: string): string {
  const instant = new Date(iso).getTime();
  const shifted = new Date(instant + offsetMinutes(instant, zone) * 60_000);
  return shifted.toISOString().slice(0, 16);
}
