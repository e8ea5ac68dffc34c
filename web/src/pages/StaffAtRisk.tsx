// /staff/insights/at-risk: the active matches whose relationship health is below the line now
// (GET /v1/insights/matches?health=at_risk), with the score and its reasons in words, each
// linking to the match. Paged by the API's cursor ("Show more").
import { useState } from "preact/hooks";
import { api } from "../api";
import { Empty, ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { t } from "../i18n";
import { reasonsOf } from "../insights/reasons";
import type { MatchHealth } from "../insights/data";
import { Link } from "../router";
import { Allowed } from "../staff/Allowed";
import { personName } from "../staff/lists";

const PAGE = 50;

type Row = MatchHealth & { mentor: string; mentee: string };

async function page(cursor: string | null, signal?: AbortSignal): Promise<{ items: Row[]; next: string | null }> {
  const found = await api.get(`/v1/insights/matches?health=at_risk&limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, signal);
  const items = await Promise.all((found.items as MatchHealth[]).map(async (m) => ({
    ...m,
    mentor: m.mentor_id ? await personName(m.mentor_id) : t("atRisk.unknown"),
    mentee: m.mentee_id ? await personName(m.mentee_id) : t("atRisk.unknown"),
  })));
  return { items, next: found.next_cursor };
}

export function StaffAtRisk() {
  return <Allowed title={t("atRisk.title")} permission="coordinator"><AtRiskBody /></Allowed>;
}

function AtRiskBody() {
  const loaded = useLoad((s) => page(null, s), []);
  const [more, setMore] = useState<{ items: Row[]; next: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const showMore = async (cursor: string) => {
    setError(null);
    try {
      const next = await page(cursor);
      setMore((m) => ({ items: [...(m?.items ?? []), ...next.items], next: next.next }));
    } catch (e) { setError(e); }
  };
  return (
    <Layout title={t("atRisk.title")}>
      <p>{t("atRisk.intro")} <Link href="/staff/insights">{t("atRisk.back")}</Link></p>
      <Show loaded={loaded}>{(first) => {
        const items = [...first.items, ...(more?.items ?? [])];
        const next = more ? more.next : first.next;
        if (items.length === 0 && !next) return <Empty>{t("atRisk.none")}</Empty>;
        return (
          <>
            <p role="status">{t("atRisk.count", { n: items.length })}</p>
            <ul class="cards at-risk">
              {items.map((m) => (
                <li class="card">
                  <h2 class="small">
                    <Link href={`/matches/${m.match_id}`}>{t("atRisk.pair", { mentee: m.mentee, mentor: m.mentor })}</Link>
                  </h2>
                  <p><span class="score">{t("atRisk.score", { score: m.score ?? "—" })}</span></p>
                  <p class="hint">{t("atRisk.why")}</p>
                  <ul class="reasons">{reasonsOf(m).map((r) => <li>{r}</li>)}</ul>
                </li>
              ))}
            </ul>
            {error && <ErrorNote error={error} />}
            {next && <button type="button" class="secondary" onClick={() => showMore(next)}>{t("atRisk.more")}</button>}
          </>
        );
      }}</Show>
    </Layout>
  );
}
