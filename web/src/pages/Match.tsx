import { useState } from "preact/hooks";
import { api } from "../api";
import { Reasons } from "../components/Reasons";
import { ErrorNote, Loading, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { t } from "../i18n";
import { AboutPerson } from "../components/AboutPerson";
import { matchWithOther } from "../people";
import { Link, type Params } from "../router";
import { BlockPerson } from "../safeguarding/Block";
import { pausedSentence, ReportEntry } from "../safeguarding/help";
import { hasAccepted, statusFor } from "../matchStatus";
import { me } from "../session";

export function MatchPage({ params }: { params: Params }) {
  const loaded = useLoad((s) => matchWithOther(params.id, s), [params.id]);
  const [error, setError] = useState<unknown>(null);
  const [reason, setReason] = useState("");
  const [blocked, setBlocked] = useState("");
  const act = async (path: string, body: unknown = {}) => {
    setError(null);
    try { await api.post(`/v1/matches/${params.id}/${path}`, body); loaded.reload(); } catch (e) { setError(e); }
  };
  if (loaded.error) return <Layout title={t("state.error")}><ErrorNote error={loaded.error} retry={loaded.reload} /></Layout>;
  if (!loaded.data) return <Layout title={t("state.loading")}><Loading /></Layout>;
  const { match, other } = loaded.data;
  {
      const mine = hasAccepted(match, me.value!.person_id!);
      return (
        <Layout title={t("match.title", { name: other.name })}>
          <p class={`badge ${match.status}`}>{statusFor(match, me.value!.person_id!, other.name)}</p>
          {error && <ErrorNote error={error} />}
          {blocked && <p role="status" class="ok">{blocked}</p>}
          {match.status === "active" && pausedSentence(match.paused_for) && (
            <p class="notice" data-testid="paused">{pausedSentence(match.paused_for)}</p>
          )}
          {(match.status === "active" || match.status === "proposed") && <ReportEntry matchId={match.id} />}
          <AboutPerson person={other} />
          <h2>{t("match.why")}</h2>
          <Reasons reasons={match.reasons ?? {}} />
          {match.status === "proposed" && (mine ? <p role="status">{t("match.accepted", { name: other.name })}</p> : (
            <div class="card stack">
              <button type="button" onClick={() => act("accept")}>{t("match.accept")}</button>
              <div class="field">
                <label for="reason">{t("match.declineReason")}</label>
                <input id="reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
              </div>
              <button type="button" class="secondary" onClick={() => act("decline", { reason: reason || "not a fit" })}>
                {t("match.decline")}
              </button>
            </div>
          ))}
          {match.status === "active" && (
            <ul class="actions">
              <li><Link class="button" href={`/matches/${match.id}/conversation`}>{t("match.conversation")}</Link></li>
              <li><Link class="button" href={`/matches/${match.id}/sessions`}>{t("match.sessions")}</Link></li>
              <li><Link class="button" href={`/matches/${match.id}/goals`}>{t("match.goals")}</Link></li>
            </ul>
          )}
          {(match.status === "active" || match.status === "proposed") && (
            <section class="card stack" aria-labelledby="block-section">
              <h2 id="block-section" class="small">{t("block.section")}</h2>
              <p class="hint">{t("block.hint")}</p>
              <BlockPerson otherId={other.id} name={other.name} matchId={match.id} onBlocked={() => {
                setBlocked(t("block.done", { name: other.name })); loaded.reload();
              }} />
            </section>
          )}
          {match.status === "ended" && <p><Link href={`/matches/${match.id}/goals`}>{t("match.goals")}</Link></p>}
        </Layout>
      );
  }
}
