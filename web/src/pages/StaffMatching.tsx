// /staff/matching: (a) one mentee's recommended mentors, best first with the reasons, and a
// proposal; (b) a cohort run for a programme: started for review, its progress polled, then its
// pairs and who could not be matched, and only then "Publish" (nothing is sent before).
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { Reasons } from "../components/Reasons";
import { Empty, ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { Allowed } from "../staff/Allowed";
import { t, type Key } from "../i18n";
import { query } from "../router";
import { listAll, personName } from "../staff/lists";
import { WhyNoMentor, WhyOnly, type Pool } from "../staff/MentorPool";

export const POLL_MS = 500;
const FINISHED = new Set(["review", "completed", "failed"]);
const percent = (score: number) => Math.round(score * 100);

export function StaffMatching() {
  return <Allowed title={t("matching.title")} permission="coordinator"><MatchingBody /></Allowed>;
}

function MatchingBody() {
  return (
    <Layout title={t("matching.title")}>
      <CohortRun />
      <OneMentee />
    </Layout>
  );
}

// -- one mentee ------------------------------------------------------------------------------------
const SHOWN = { all: "matching.show.all", waiting: "matching.show.waiting", "no-mentor": "matching.show.noMentor" } as const;
type Shown = keyof typeof SHOWN;

function OneMentee() {
  const mentees = useLoad((signal) => listAll("/v1/people?role=mentee", signal, 1000));
  // Who has no proposed or active match, and how many mentors each could choose (read again after a proposal).
  const waiting = useLoad(async (signal) => new Map((await listAll("/v1/waiting-mentees", signal, 1000))
    .map((w: any) => [w.mentee_id, w])));
  const asked = query("show");
  const [shown, setShown] = useState<Shown>(asked && asked in SHOWN ? asked as Shown : "all");
  const [needle, setNeedle] = useState("");
  const [chosen, setChosen] = useState<any>(null);
  return (
    <section class="card stack" aria-labelledby="one-h">
      <h2 id="one-h">{t("matching.one")}</h2>
      <p class="hint">{t("matching.oneIntro")}</p>
      <div class="field">
        <label for="mentee-show">{t("matching.show")}</label>
        <select id="mentee-show" value={shown} onChange={(e) => setShown((e.target as HTMLSelectElement).value as Shown)}>
          {(Object.keys(SHOWN) as Shown[]).map((k) => <option value={k}>{t(SHOWN[k])}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="mentee-search">{t("matching.findMentee")}</label>
        <input id="mentee-search" type="search" value={needle} aria-describedby="mentee-search-hint"
               onInput={(e) => setNeedle((e.target as HTMLInputElement).value)} />
        <p class="hint" id="mentee-search-hint">{t("matching.findMenteeHint")}</p>
      </div>
      <Show loaded={mentees}>{(all) => <Show loaded={waiting}>{(wait) => {
        const n = needle.trim().toLowerCase();
        const listed = all.filter((p: any) => shown === "all" || (wait.has(p.id) &&
          (shown === "waiting" || wait.get(p.id).mentors_to_choose === 0)));
        const found = listed.filter((p: any) => !n || p.name.toLowerCase().includes(n)).slice(0, 8);
        if (found.length > 0) {
          return (
            <ul class="choices">
              {found.map((p: any) => (
                <li><button type="button" class={chosen?.id === p.id ? "" : "secondary"} aria-pressed={chosen?.id === p.id}
                            onClick={() => setChosen(p)}>{p.name}<WaitingNote waiting={wait.get(p.id)} /></button></li>
              ))}
            </ul>
          );
        }
        if (n || shown === "all") return <Empty>{t("matching.noMentee")}</Empty>;
        return <Empty>{shown === "no-mentor" ? t("matching.noneWithoutMentor") : t("matching.noneWaiting")}</Empty>;
      }}</Show>}</Show>
      {chosen && <Recommendations key={chosen.id} mentee={chosen} onProposed={waiting.reload} />}
    </section>
  );
}

function WaitingNote({ waiting }: { waiting?: any }) {
  if (!waiting) return null;
  const notes = [t("matching.toChoose", { n: waiting.mentors_to_choose })];
  if (waiting.awaiting_consent) notes.push(t("matching.awaitingConsent"));
  return <span class="choice-note">{notes.join(" · ")}</span>;
}

function Recommendations({ mentee, onProposed }: { mentee: any; onProposed: () => void }) {
  const loaded = useLoad(async (signal) => {
    const page = await api.get(`/v1/people/${mentee.id}/recommendations?limit=10`, signal);
    const programme = page.pool?.programme_id
      ? await api.get(`/v1/programmes/${page.pool.programme_id}`, signal).then((p: any) => p.name as string, () => null)
      : null;
    const items = await Promise.all(page.items.map(async (r: any) => ({ ...r, name: await personName(r.mentor_id) })));
    return { items, pool: page.pool as Pool | null, programme };  // shorter than asked (an empty list too): a pool
  }, [mentee.id]);
  const [done, setDone] = useState("");
  const [error, setError] = useState<unknown>(null);
  return (
    <div class="stack">
      <h3 id="recs-h">{t("matching.mentorsFor", { name: mentee.name })}</h3>
      {done && <p role="status" class="ok">{done}</p>}
      {error !== null && <ErrorNote error={error} />}
      <Show loaded={loaded}>{({ items: recs, pool, programme }) => recs.length === 0
        ? <WhyNoMentor mentee={mentee} pool={pool!} programme={programme} /> : (<>
        <ol class="cards" aria-labelledby="recs-h">
          {recs.map((r: any) => (
            <li class="card stack">
              <h4>{r.name} <span class="badge">{t("mentors.match", { percent: percent(r.score) })}</span></h4>
              <Reasons reasons={r.reasons} staff />
              <button type="button" disabled={!!done} onClick={async () => {
                setError(null);
                try {
                  await api.post("/v1/matches", { mentee_id: mentee.id, mentor_id: r.mentor_id });
                  setDone(t("matching.proposed", { mentee: mentee.name, mentor: r.name }));
                  onProposed();
                } catch (err) { setError(err); }
              }}>{t("matching.propose", { name: r.name })}</button>
            </li>
          ))}
        </ol>
        {pool && <WhyOnly mentee={mentee} pool={pool} programme={programme} shown={recs.length} />}
      </>)}</Show>
    </div>
  );
}

// -- cohort runs -----------------------------------------------------------------------------------
function CohortRun() {
  const programmes = useLoad((signal) => listAll("/v1/programmes", signal, 1000));
  const [programme, setProgramme] = useState(query("programme") ?? "");
  const [run, setRun] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!run || FINISHED.has(run.stage)) return;
    const timer = setTimeout(async () => {
      try { setRun(await api.get(`/v1/matching-runs/${run.id}`)); } catch (err) { setError(err); }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [run]);
  const working = !!run && !FINISHED.has(run.stage);
  return (
    <section class="card stack" aria-labelledby="run-h">
      <h2 id="run-h">{t("matching.cohort")}</h2>
      <p class="hint">{t("matching.cohortIntro")}</p>
      <Show loaded={programmes}>{(items) => items.length === 0 ? <Empty>{t("matching.noProgrammes")}</Empty> : (
        <form class="stack" onSubmit={async (e) => {
          e.preventDefault(); setError(null);
          const id = programme || items[0].id;
          try { setRun(await api.post("/v1/matching-runs", { programme_id: id, publish: false })); }
          catch (err) { setError(err); }
        }}>
          <div class="field"><label for="run-programme">{t("matching.programme")}</label>
            <select id="run-programme" value={programme || items[0].id}
                    onChange={(e) => setProgramme((e.target as HTMLSelectElement).value)}>
              {items.map((p: any) => <option value={p.id}>{p.name}</option>)}
            </select></div>
          <button type="submit" disabled={working}>{t("matching.start")}</button>
        </form>
      )}</Show>
      {error !== null && <ErrorNote error={error} />}
      {run && <RunProgress run={run} />}
      {run && (run.stage === "review" || run.published_at) && <Review run={run} onPublished={setRun} />}
    </section>
  );
}

function RunProgress({ run }: { run: any }) {
  const stage = t(`matching.stage.${run.stage}` as Key) || run.stage;
  return (
    <div class="stack">
      <label for="run-progress">{t("matching.progress", { stage, percent: percent(run.progress) })}</label>
      <progress id="run-progress" max={1} value={run.progress} />
      {run.stage === "failed" && <p class="error" role="alert">{t("matching.failed", { error: run.error ?? "" })}</p>}
      {!FINISHED.has(run.stage) && <p role="status">{t("matching.working")}</p>}
    </div>
  );
}

function Review({ run, onPublished }: { run: any; onPublished: (run: any) => void }) {
  const loaded = useLoad(async () => {
    const ids = new Set<string>([...run.pairs.flatMap((p: any) => [p.mentee_id, p.mentor_id]),
      ...run.unmatched.map((u: any) => u.mentee_id)]);
    const names: Record<string, string> = {};
    await Promise.all([...ids].map(async (id) => { names[id] = await personName(id); }));
    return names;
  }, [run.id, run.pairs.length, run.unmatched.length]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const published = !!run.published_at;
  return (
    <Show loaded={loaded}>{(names) => (
      <div class="stack">
        <h3>{published ? t("matching.publishedTitle") : t("matching.reviewTitle")}</h3>
        {published
          ? <p role="status" class="ok">{t("matching.published", { n: run.matched_count })}</p>
          : <p class="notice">{t("matching.reviewIntro", { n: run.pairs.length })}</p>}
        {run.pairs.length === 0 ? <Empty>{t("matching.noPairs")}</Empty> : (
          <>
            <h4 id="pairs-h">{t("matching.pairs", { n: run.pairs.length })}</h4>
            <ol class="cards" aria-labelledby="pairs-h">{run.pairs.map((p: any) => (
              <li class="card stack">
                <p class="pair">{t("matching.pair", { mentee: names[p.mentee_id], mentor: names[p.mentor_id] })}{" "}
                  <span class="badge">{t("mentors.match", { percent: percent(p.score) })}</span></p>
                {p.published === false && <p class="hint">{t("matching.leftOut")}</p>}
                <Reasons reasons={p.reasons} staff />
              </li>
            ))}</ol>
          </>
        )}
        {run.unmatched.length > 0 && (
          <table>
            <caption>{t("matching.unmatched", { n: run.unmatched_count })}</caption>
            <thead><tr><th scope="col">{t("matching.mentee")}</th><th scope="col">{t("matching.whyNot")}</th></tr></thead>
            <tbody>{run.unmatched.map((u: any) => (
              <tr><th scope="row">{names[u.mentee_id]}</th><td>{unmatchedReason(u)}</td></tr>
            ))}</tbody>
          </table>
        )}
        {error !== null && <ErrorNote error={error} />}
        {!published && run.pairs.length > 0 && (
          <button type="button" disabled={busy} onClick={async () => {
            setError(null); setBusy(true);
            try { onPublished(await api.post(`/v1/matching-runs/${run.id}/publish`)); }
            catch (err) { setError(err); } finally { setBusy(false); }
          }}>{t("matching.publish", { n: run.pairs.length })}</button>
        )}
      </div>
    )}</Show>
  );
}

const REASONS = ["no_mentors", "no_shared_interests", "no_vetted_mentor", "repeat_pair", "mentors_full",
  "matched_meanwhile", "guardian_consent_required"];

function unmatchedReason(u: any): string {
  return REASONS.includes(u.reason) ? t(`matching.reason.${u.reason}` as Key) : u.message;
}
