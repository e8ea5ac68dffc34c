// The emails and texts ementor sent one person lately, and those it did not send and why: what a
// coordinator checks when a mentee says "I never got the email".
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote, Show, useLoad } from "../components/states";
import { formatShortDateTime, t, type Key } from "../i18n";

const SHOWN = 10;

/** Where one delivery stands, in words. */
function deliveryStatus(d: any): string {
  const at = d.next_attempt_at && formatShortDateTime(d.next_attempt_at);
  switch (d.status) {
    case "pending":
      if (d.attempts > 0 && d.last_error) return t("person.delivery.retrying", { when: at, error: d.last_error });
      return Date.parse(d.next_attempt_at) > Date.now() ? t("person.delivery.due", { when: at }) : t("person.delivery.sending");
    case "deferred": return t("person.delivery.deferred", { when: at });
    case "sent": case "delivered":
      return t(`person.delivery.${d.status}` as Key, { when: formatShortDateTime(d.sent_at ?? d.created_at) });
    case "skipped":
      if (d.skip_code) return t(`person.skipped.${d.skip_code}` as Key);
      return t("person.delivery.skipped", { reason: d.last_error ?? "" });
    case "failed": return t("person.delivery.failed", { reason: d.last_error ?? "" });
    default: return t("person.delivery.sending");
  }
}

const page = (personId: string, cursor?: string | null, signal?: AbortSignal) => api.get(
  `/v1/notifications?person_id=${personId}&limit=${SHOWN}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, signal);

export function PersonNotifications({ personId }: { personId: string }) {
  const loaded = useLoad((signal) => page(personId, null, signal), [personId]);
  const [older, setOlder] = useState<{ items: any[]; next: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <section class="card stack" aria-labelledby="notifications-h">
      <h2 id="notifications-h">{t("person.notifications")}</h2>
      <Show loaded={loaded}>{(first) => first.items.length === 0 ? <p>{t("person.noNotifications")}</p> : (
        <>
          <p class="hint">{t("person.notificationsHint")}</p>
          <ul class="plain stack">{[...first.items, ...(older?.items ?? [])].map((d: any) => (
            <li data-status={d.status}>
              <strong>{t(`staffSettings.kind.${d.kind}` as Key)}</strong>
              {" · "}{t(`person.channel.${d.channel}` as Key)}
              {!d.sent_at && <>{" · "}{formatShortDateTime(d.created_at)}</>}
              {d.subject && <><br /><span class="hint">“{d.subject}”</span></>}
              <br />{deliveryStatus(d)}
            </li>
          ))}</ul>
          {error !== null && <ErrorNote error={error} />}
          {(older ? older.next : first.next_cursor) && <button type="button" class="secondary" onClick={async () => {
            setError(null);
            try {
              const more = await page(personId, older ? older.next : first.next_cursor);
              setOlder({ items: [...(older?.items ?? []), ...more.items], next: more.next_cursor });
            } catch (err) { setError(err); }
          }}>{t("person.olderNotifications")}</button>}
        </>
      )}</Show>
    </section>
  );
}
