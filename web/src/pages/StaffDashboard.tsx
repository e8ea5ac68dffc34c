// /staff: how the organisation is doing, from the list endpoints (counted by paging), the proposals
// still waiting for an answer, and each active match's conversation statistics: a match is quiet
// after QUIET_DAYS without a message.
import { api } from "../api";
import { Empty, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { Allowed } from "../staff/Allowed";
import { t, type Key } from "../i18n";
import { Link } from "../router";
import { countAll, listAll, listSome, personName, type Count } from "../staff/lists";

export const QUIET_DAYS = 14;
const STATUSES = ["proposed", "active", "declined", "ended"] as const;
const DAY_MS = 86_400_000;
const UNANSWERED_SHOWN = 10;

async function loadDashboard(signal: AbortSignal) {
  const [unanswered, waiting, [people, notSignedIn, queue, atRisk, ...byStatus]] = await Promise.all([
    loadUnanswered(signal),
    loadWaiting(signal),
    Promise.all([
      countAll("/v1/people", signal),
      countAll("/v1/people?signed_in=false", signal),
      countAll("/v1/moderation/messages?status=held", signal),
      countAll("/v1/insights/matches?health=at_risk", signal), // insights (issue 15)
      ...STATUSES.map((s) => countAll(`/v1/matches?status=${s}`, signal)),
    ]),
  ]);
  const active = await listAll("/v1/matches?status=active", signal, 200);
  const quiet = (await Promise.all(active.map(async (m) => {
    const stats = await api.get(`/v1/matches/${m.id}/messages/stats`, signal);
    const days = stats.days_since_last_message ?? Math.floor((Date.now() - Date.parse(m.accepted_at ?? m.created_at)) / DAY_MS);
    return days >= QUIET_DAYS ? { ...m, days, mentee: await personName(m.mentee_id), mentor: await personName(m.mentor_id) } : null;
  }))).filter(Boolean) as any[];
  return { people, notSignedIn, queue, atRisk, ...waiting, byStatus, unanswered,
           quiet: quiet.sort((a, b) => b.days - a.days) };
}

// Mentees with no proposed or active match, and those of them with no mentor to choose: one pass,
// since the service scores every waiting mentee to answer either.
async function loadWaiting(signal: AbortSignal): Promise<{ waiting: Count; noMentor: Count }> {
  const { items, more } = await listSome("/v1/waiting-mentees", signal);
  return { waiting: { n: items.length, more }, noMentor: { n: items.filter((w) => w.mentors_to_choose === 0).length, more } };
}

// Proposals still waiting for an answer, oldest first, with who has not answered yet.
async function loadUnanswered(signal: AbortSignal) {
  const proposed = (await listAll("/v1/matches?status=proposed", signal, 1000))
    .sort((a: any, b: any) => Date.parse(a.created_at) - Date.parse(b.created_at));
  const shown = await Promise.all(proposed.slice(0, UNANSWERED_SHOWN).map(async (m: any) => ({
    ...m, days: Math.floor((Date.now() - Date.parse(m.created_at)) / DAY_MS),
    mentee: await personName(m.mentee_id), mentor: await personName(m.mentor_id),
  })));
  return { shown, more: proposed.length - shown.length };
}

const shown = (c: Count) => (c.more ? t("dashboard.atLeast", { n: c.n }) : String(c.n));

export function StaffDashboard() {
  return <Allowed title={t("dashboard.title")} permission="coordinator"><StaffDashboardBody /></Allowed>;
}

function StaffDashboardBody() {
  const loaded = useLoad(loadDashboard);
  return (
    <Layout title={t("dashboard.title")}>
      <Show loaded={loaded}>{(d) => (
        <>
          <ul class="cards figures">
            <li class="card"><p class="figure">{shown(d.people)}</p><p>{t("dashboard.people")}</p>
              <Link href="/staff/people">{t("dashboard.seePeople")}</Link></li>
            <li class="card"><p class="figure">{shown(d.notSignedIn)}</p><p>{t("dashboard.notSignedIn")}</p>
              <Link href="/staff/people?signed_in=false">{t("dashboard.seeNotSignedIn")}</Link></li>
            <li class="card"><p class="figure">{shown(d.queue)}</p><p>{t("dashboard.queue")}</p>
              <Link href="/staff/moderation">{t("dashboard.seeQueue")}</Link></li>
            <li class="card"><p class="figure">{shown(d.atRisk)}</p><p>{t("dashboard.atRisk")}</p>
              <Link href="/staff/insights/at-risk">{t("dashboard.seeAtRisk")}</Link></li>
            <li class="card"><p class="figure">{shown(d.waiting)}</p><p>{t("dashboard.waiting")}</p>
              <Link href="/staff/matching?show=waiting">{t("dashboard.seeWaiting")}</Link></li>
            <li class="card"><p class="figure">{shown(d.noMentor)}</p><p>{t("dashboard.noMentor")}</p>
              {d.noMentor.n > 0 && <Link href="/staff/matching?show=no-mentor">{t("dashboard.seeNoMentor")}</Link>}</li>
          </ul>
          <section aria-labelledby="matches-h">
            <h2 id="matches-h">{t("dashboard.matches")}</h2>
            <table>
              <thead><tr><th scope="col">{t("dashboard.status")}</th><th scope="col">{t("dashboard.count")}</th></tr></thead>
              <tbody>
                {STATUSES.map((s, i) => (
                  <tr><th scope="row">{t(`dashboard.status.${s}` as Key)}</th><td>{shown(d.byStatus[i])}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="unanswered-h">
            <h2 id="unanswered-h">{t("dashboard.unanswered")}</h2>
            {d.unanswered.shown.length === 0 ? <Empty>{t("dashboard.noUnanswered")}</Empty> : (
              <ul class="plain" aria-labelledby="unanswered-h">
                {d.unanswered.shown.map((m: any) => (
                  <li>{t("dashboard.proposedPair", { mentee: m.mentee, mentor: m.mentor, days: m.days })}{" "}
                    {t("dashboard.waitingFor")}{" "}
                    {[!m.mentee_accepted && [m.mentee_id, m.mentee], !m.mentor_accepted && [m.mentor_id, m.mentor]]
                      .filter(Boolean).map(([id, name]: any, i: number) => (
                        <>{i > 0 && t("dashboard.and")}<Link href={`/staff/people/${id}`}>{name}</Link></>
                      ))}
                  </li>
                ))}
                {d.unanswered.more > 0 && <li>{t("dashboard.moreUnanswered", { n: d.unanswered.more })}</li>}
              </ul>
            )}
          </section>
          <section aria-labelledby="quiet-h">
            <h2 id="quiet-h">{t("dashboard.quiet", { days: QUIET_DAYS })}</h2>
            {d.quiet.length === 0 ? <Empty>{t("dashboard.noQuiet")}</Empty> : (
              <ul class="plain">
                {d.quiet.map((m: any) => (
                  <li>{t("dashboard.quietMatch", { mentee: m.mentee, mentor: m.mentor, days: m.days })}</li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}</Show>
    </Layout>
  );
}
