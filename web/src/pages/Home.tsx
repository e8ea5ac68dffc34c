import { api } from "../api";
import { Empty, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDateTime, t, type Key } from "../i18n";
import { otherSide, publicPerson } from "../people";
import { Link } from "../router";
import { ReportEntry } from "../safeguarding/help";
import { statusFor } from "../matchStatus";
import { me, person } from "../session";
import { staffPages } from "../staff/pages";

async function loadHome(signal: AbortSignal) {
  const [matches, sessions, surveys] = await Promise.all([
    api.get("/v1/matches", signal), api.get("/v1/sessions", signal),
    api.get("/v1/surveys", signal).catch(() => ({ items: [] })), // a survey is a bonus: never block home on it
  ]);
  const items = await Promise.all(matches.items.map(async (m: any) => {
    const [other, count] = await Promise.all([publicPerson(otherSide(m)), m.status === "active" ? unread(m.id, signal) : 0]);
    return { ...m, other, unread: count };
  }));
  const names = new Map(items.map((m: any) => [m.id, m.other.name]));
  const upcoming = sessions.items.filter((s: any) => s.status !== "cancelled" && new Date(s.ends_at) > new Date());
  return { matches: items, sessions: upcoming.map((s: any) => ({ ...s, other: names.get(s.match_id) ?? "" })),
    surveys: surveys.items as { id: string; moment: string; match_id: string }[] };
}

/** Messages delivered to the reader since they last read the conversation (0 if messaging cannot say yet). */
async function unread(matchId: string, signal: AbortSignal): Promise<number> {
  return api.get<{ unread?: number | null }>(`/v1/matches/${matchId}/conversation`, signal)
    .then((c) => c.unread ?? 0, () => 0);
}

export function Home() {
  const who = me.value!;
  if (!who.person_id) {
    return (
      <Layout title={t("home.title", { name: who.name ?? "" })}>
        <p>{t("home.staff")}</p>
        <ul class="plain">
          {staffPages().map(([href, label]) => <li><Link href={href}>{label}</Link></li>)}
        </ul>
      </Layout>
    );
  }
  const loaded = useLoad(loadHome);
  const consent = person.value?.guardian_consent;
  return (
    <Layout title={t("home.title", { name: (who.name ?? "").split(" ")[0] })}>
      {consent && consent !== "granted" && consent !== "not_required" && <p class="notice">{t("home.consentPending")}</p>}
      {who.role === "mentor" && person.value?.capacity === 0 &&
        <p class="notice">{t("home.paused")} <Link href="/profile">{t("home.changePause")}</Link></p>}
      <Show loaded={loaded}>{(data) => (
        <>
          {data.surveys.length > 0 && (
            <section aria-labelledby="surveys-h" class="card">
              <h2 id="surveys-h">{t("home.surveys")}</h2>
              <ul class="plain">
                {data.surveys.map((s) => {
                  const other = data.matches.find((m: any) => m.id === s.match_id)?.other.name;
                  return <li><Link href={`/surveys/${s.id}`}>{t(`home.surveyLink.${s.moment}` as Key)}</Link>
                    {other ? ` — ${other}` : ""}</li>;
                })}
              </ul>
            </section>
          )}
          <section aria-labelledby="matches-h">
            <h2 id="matches-h">{t("home.matches")}</h2>
            {data.matches.length === 0 ? (
              who.role === "mentor"
                ? <Empty>{t("home.noMentees")} <Link href="/profile">{t("home.completeProfile")}</Link></Empty>
                : <Empty>{t("home.noMatches")} <Link href="/mentors">{t("home.findMentor")}</Link></Empty>
            ) : (
              <ul class="cards">
                {data.matches.map((m: any) => (
                  <li class="card">
                    <h3><Link href={`/matches/${m.id}`}>{t("match.with", { name: m.other.name })}</Link></h3>
                    <p class={`badge ${m.status}`}>{statusFor(m, who.person_id!, m.other.name)}</p>
                    {m.unread > 0 && (
                      <p><strong><Link href={`/matches/${m.id}/conversation`}>{t("home.unread", { n: m.unread })}</Link></strong></p>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="sessions-h">
            <h2 id="sessions-h">{t("home.sessions")}</h2>
            {data.sessions.length === 0 ? <Empty>{t("home.noSessions")}</Empty> : (
              <ul class="plain">
                {data.sessions.map((s: any) => (
                  <li><Link href={`/matches/${s.match_id}/sessions`}>{formatDateTime(s.starts_at)}</Link> — {s.other}</li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}</Show>
      <ReportEntry />
    </Layout>
  );
}
