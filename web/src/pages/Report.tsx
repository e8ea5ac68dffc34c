// /report?match=&message=: "Report a worry", for mentees and mentors. A calm page: what it is
// about (the API's categories in kind words), which mentoring, the message when reported from the
// conversation, optional details → POST /v1/concerns → it was received, who looks at it, that
// contact is paused, and where to get help right now.
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDateTime, t, type Key } from "../i18n";
import { otherSide, publicPerson } from "../people";
import { Link, query } from "../router";
import { HelpNow } from "../safeguarding/help";

export const REPORT_CATEGORIES = ["uncomfortable", "asked_to_meet_or_talk_elsewhere", "bullying",
  "inappropriate_content", "worried_about_me", "worried_about_someone_else", "other"] as const;

async function loadContext(matchId: string | null, messageId: string | null, signal: AbortSignal) {
  const page = await api.get("/v1/matches", signal);
  const matches = await Promise.all(page.items
    .filter((m: any) => m.status === "active" || m.status === "proposed" || m.id === matchId)
    .map(async (m: any) => ({ id: m.id, other: await publicPerson(otherSide(m)) })));
  let message: any = null;
  if (matchId && messageId) {
    const found = await api.get(`/v1/matches/${encodeURIComponent(matchId)}/messages?limit=100`, signal).catch(() => null);
    message = found?.items.find((m: any) => m.id === messageId) ?? null;
  }
  return { matches, message };
}

export function Report() {
  const matchParam = query("match");
  const messageParam = query("message");
  const loaded = useLoad((s) => loadContext(matchParam, messageParam, s), [matchParam, messageParam]);
  const [received, setReceived] = useState<{ other: string | null } | null>(null);
  return (
    <Layout title={t("report.title")}>
      {received ? <Received other={received.other} /> : (
        <>
          <p>{t("report.intro")}</p>
          <HelpNow />
          <Show loaded={loaded}>{(ctx) => (
            <ReportForm matches={ctx.matches} message={ctx.message} messageId={messageParam} initialMatch={matchParam}
                        onReceived={(other) => setReceived({ other })} />
          )}</Show>
        </>
      )}
    </Layout>
  );
}

function ReportForm({ matches, message, messageId, initialMatch, onReceived }: {
  matches: { id: string; other: any }[]; message: any; messageId: string | null; initialMatch: string | null;
  onReceived: (other: string | null) => void;
}) {
  const known = matches.some((m) => m.id === initialMatch);
  const [category, setCategory] = useState("");
  const [matchId, setMatchId] = useState(known ? initialMatch! : matches.length === 1 ? matches[0].id : "");
  const [details, setDetails] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const otherName = (id: string) => matches.find((m) => m.id === id)?.other.name ?? null;
  return (
    <form class="card stack report-form" noValidate onSubmit={async (e) => {
      e.preventDefault();
      setError(null);
      if (!category) { setMissing(true); (document.getElementById("cat-0") as HTMLInputElement | null)?.focus(); return; }
      setBusy(true);
      try {
        await api.post("/v1/concerns", {
          category, match_id: matchId || null,
          message_id: messageId && matchId === initialMatch ? messageId : null, // quoted or not (older than the last 100)
          details: details.trim() || null,
        });
        onReceived(matchId ? otherName(matchId) : null);
      } catch (err) { setError(err); setBusy(false); }
    }}>
      <fieldset class="choices" aria-describedby={missing ? "cat-missing" : undefined}>
        <legend>{t("report.category")}</legend>
        {missing && <p class="field-error" id="cat-missing" role="alert">{t("report.chooseCategory")}</p>}
        {REPORT_CATEGORIES.map((c, i) => (
          <div class="check">
            <input type="radio" id={`cat-${i}`} name="category" value={c} checked={category === c}
                   onChange={() => { setCategory(c); setMissing(false); }} />
            <label for={`cat-${i}`}>{t(`report.category.${c}` as Key)}</label>
          </div>
        ))}
      </fieldset>
      {matches.length > 0 && (
        <div class="field">
          <label for="report-match">{t("report.match")}</label>
          <select id="report-match" value={matchId} aria-describedby="report-match-hint"
                  onChange={(e) => setMatchId((e.target as HTMLSelectElement).value)}>
            <option value="">{t("report.matchNone")}</option>
            {matches.map((m) => <option value={m.id}>{t("report.matchWith", { name: m.other.name })}</option>)}
          </select>
          <p class="hint" id="report-match-hint">{t("report.matchHint")}</p>
        </div>
      )}
      {message && matchId === initialMatch && (
        <figure class="reported">
          <figcaption>{t("report.message")}</figcaption>
          <blockquote class="held-body">{message.body}</blockquote>
          <p class="hint">{t("report.messageFrom", { name: otherName(initialMatch!) ?? "", when: formatDateTime(message.created_at) })}</p>
        </figure>
      )}
      <div class="field">
        <label for="report-details">{t("report.details")}</label>
        <textarea id="report-details" rows={5} maxLength={4000} value={details} aria-describedby="report-details-hint"
                  onInput={(e) => setDetails((e.target as HTMLTextAreaElement).value)} />
        <p class="hint" id="report-details-hint">{t("report.detailsHint")}</p>
      </div>
      {error !== null && <ErrorNote error={error} />}
      <button type="submit" disabled={busy}>{busy ? t("report.sending") : t("report.submit")}</button>
    </form>
  );
}

function Received({ other }: { other: string | null }) {
  return (
    <>
      <div class="card stack received" role="status">
        <p class="ok">{t("report.received")}</p>
        <p>{t("report.who")}</p>
        {other && <p>{t("report.paused", { name: other })}</p>}
      </div>
      <HelpNow />
      <p><Link href="/">{t("report.home")}</Link></p>
    </>
  );
}
