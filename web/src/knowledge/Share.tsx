// The conversation's article pieces: a shared article shown as a card (a message whose `card` is
// `{kind: "article", article_id, title}`, posted by knowledge through messaging's moderated path),
// and the mentor's "Share an article": search the library, pick one, POST /v1/articles/{id}/share.
import { useState } from "preact/hooks";
import { api } from "../api";
import { Empty, ErrorNote } from "../components/states";
import { t } from "../i18n";
import { Link } from "../router";
import type { Passage } from "./articles";

export type Card = { kind: string; article_id: string; title: string };

export function SharedCard({ card }: { card: Card }) {
  return (
    <div class="article-card">
      <p class="hint">{t("share.cardLabel")}</p>
      <Link href={`/advice/${encodeURIComponent(card.article_id)}`}>{card.title}</Link>
    </div>
  );
}

export function ShareArticle({ matchId, name }: { matchId: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const [found, setFound] = useState<{ id: string; title: string; section: string }[] | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const search = async () => {
    const words = q.trim();
    if (!words) return;
    setError(null); setStatus(null);
    try {
      const hits = await api.get<{ items: Passage[] }>(`/v1/articles/search?limit=10&q=${encodeURIComponent(words)}`);
      const seen = new Set<string>();
      setFound(hits.items.filter((h) => !seen.has(h.article_id) && seen.add(h.article_id))
        .map((h) => ({ id: h.article_id, title: h.title, section: h.section })));
    } catch (err) { setError(err); }
  };
  const share = async (article: { id: string; title: string }) => {
    setBusy(true); setError(null);
    try {
      const shared = await api.post(`/v1/articles/${encodeURIComponent(article.id)}/share`, { match_id: matchId });
      setStatus(t(shared.status === "held" ? "share.held" : "share.done", { title: article.title, name }));
      setFound(null); setQ(""); setOpen(false);
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return (
    <div class="share stack">
      {status && <p role="status" class="ok">{status}</p>}
      <button type="button" class="secondary" aria-expanded={open} aria-controls="share-panel"
              onClick={() => { setOpen(!open); setStatus(null); }}>{t("share.open")}</button>
      <div id="share-panel" hidden={!open} class="card stack">
        <form class="row" role="search" aria-label={t("share.searchLabel")} onSubmit={(e) => { e.preventDefault(); search(); }}>
          <div class="field grow">
            <label for="share-q">{t("share.search")}</label>
            <input id="share-q" type="search" value={q} maxLength={1000} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
          </div>
          <button type="submit">{t("share.find")}</button>
        </form>
        {error !== null && <ErrorNote error={error} />}
        {found && (found.length === 0 ? <Empty>{t("share.none")}</Empty> : (
          <ul class="plain share-results">
            {found.map((a) => (
              <li>
                <Link href={`/advice/${encodeURIComponent(a.id)}`}>{a.title}</Link>{" "}
                <button type="button" class="small" disabled={busy} onClick={() => share(a)}
                        aria-label={t("share.pickTitled", { title: a.title })}>{t("share.pick")}</button>
              </li>
            ))}
          </ul>
        ))}
      </div>
    </div>
  );
}
