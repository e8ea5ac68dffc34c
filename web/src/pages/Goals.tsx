// A match's goals: set one (a title, a due date if wanted), see them all, mark one complete.
// Goals are set and completed while the match is active, and stay readable after it ends.
import { useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { describe, Empty, ErrorNote, Loading, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDate, formatDateTime, t } from "../i18n";
import { matchWithOther } from "../people";
import { Link, type Params } from "../router";
import { me } from "../session";

type Goal = { id: string; title: string; due_date: string | null; set_by: string | null; created_at: string;
  completed_at: string | null; completed_by: string | null };

async function load(id: string, signal: AbortSignal) {
  const [{ match, other }, goals] = await Promise.all([
    matchWithOther(id, signal), api.get<{ items: Goal[] }>(`/v1/matches/${id}/goals`, signal),
  ]);
  return { match, other, goals: goals.items };
}

/** A goals error as a sentence: a closed match is said in the words of this page. */
function goalError(error: unknown): string {
  if (error instanceof ApiError && error.code === "match_not_active") return t("goals.notActive");
  return describe(error);
}

export function Goals({ params }: { params: Params }) {
  const loaded = useLoad((s) => load(params.id, s), [params.id]);
  const [title, setTitle] = useState("");
  const [due, setDue] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");
  if (loaded.error) return <Layout title={t("goals.title")}><ErrorNote error={loaded.error} retry={loaded.reload} /></Layout>;
  if (!loaded.data) return <Layout title={t("goals.title")}><Loading /></Layout>;
  const { match, other, goals } = loaded.data;
  const active = match.status === "active";
  const who = (by: string | null) => by === me.value?.person_id ? t("goals.byYou")
    : by === other.id ? other.name : t("goals.byCoordinator");
  const open = goals.filter((g) => !g.completed_at);
  const done = goals.filter((g) => g.completed_at);
  const complete = async (goal: Goal) => {
    setError(null); setNotice("");
    try {
      await api.post(`/v1/matches/${params.id}/goals/${goal.id}/complete`);
      setNotice(t("goals.completed", { title: goal.title }));
      loaded.reload();
    } catch (err) { setError(err); }
  };
  return (
    <Layout title={t("goals.titleWith", { name: other.name })}>
      <p>{t("goals.intro")}</p>
      {!active && <p class="notice">{t("goals.notActive")}</p>}
      {error && <div class="error" role="alert"><p>{goalError(error)}</p></div>}
      {notice && <p role="status" class="ok">{notice}</p>}
      <section aria-labelledby="open-h">
        <h2 id="open-h">{t("goals.open")}</h2>
        {open.length === 0 ? <Empty>{goals.length === 0 ? t("goals.none") : t("goals.allDone")}</Empty> : (
          <ul class="cards">
            {open.map((g) => (
              <li class="card goal">
                <h3>{g.title}</h3>
                <p class="hint">{t("goals.setBy", { who: who(g.set_by), when: formatDate(g.created_at) })}</p>
                {g.due_date && <p>{t("goals.due", { date: formatDate(g.due_date, true) })}</p>}
                {active && <button type="button" aria-label={t("goals.completeNamed", { title: g.title })}
                                   onClick={() => complete(g)}>{t("goals.complete")}</button>}
              </li>
            ))}
          </ul>
        )}
      </section>
      {done.length > 0 && (
        <section aria-labelledby="done-h">
          <h2 id="done-h">{t("goals.done")}</h2>
          <ul class="cards">
            {done.map((g) => (
              <li class="card goal completed">
                <h3>{g.title}</h3>
                <p class="badge active">{t("goals.doneBadge")}</p>
                <p class="hint">{t("goals.completedBy", { who: who(g.completed_by), when: formatDateTime(g.completed_at!) })}</p>
              </li>
            ))}
          </ul>
        </section>
      )}
      {active && (
        <form class="card stack" onSubmit={async (e) => {
          e.preventDefault(); setError(null); setNotice("");
          const text = title.trim();
          if (!text) return;
          setBusy(true);
          try {
            await api.post(`/v1/matches/${params.id}/goals`, { title: text, due_date: due || null });
            setNotice(t("goals.added", { title: text }));
            setTitle(""); setDue("");
            loaded.reload();
          } catch (err) { setError(err); } finally { setBusy(false); }
        }}>
          <h2>{t("goals.new")}</h2>
          <div class="field">
            <label for="goal-title">{t("goals.goalTitle")}</label>
            <input id="goal-title" required maxLength={200} value={title} aria-describedby="goal-title-hint"
                   onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
            <p class="hint" id="goal-title-hint">{t("goals.goalTitleHint")}</p>
          </div>
          <div class="field">
            <label for="goal-due">{t("goals.dueDate")}</label>
            <input id="goal-due" type="date" value={due} onInput={(e) => setDue((e.target as HTMLInputElement).value)} />
          </div>
          <button type="submit" disabled={busy}>{t("goals.add")}</button>
        </form>
      )}
      <p><Link href={`/matches/${params.id}`}>{t("goals.back", { name: other.name })}</Link></p>
    </Layout>
  );
}
