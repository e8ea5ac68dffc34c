// /staff/articles/new and /staff/articles/:id: write or edit the organisation's article as a
// draft (POST / PATCH /v1/articles), preview it, publish it as a new version readers see, and
// list the versions published so far.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { Empty, ErrorNote, Loading, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDateTime, type Key, t } from "../i18n";
import { type Article, AUDIENCES, type Fields, TAGS, tagName } from "../knowledge/articles";
import { markdownNodes } from "../knowledge/markdown";
import { Link, type Params } from "../router";
import { Allowed } from "../staff/Allowed";

const BLANK: Fields = { title: "", summary: "", body: "", audience: "mentees", min_age: 13, tags: [], language: "en", review_by: null };

export function StaffArticleEdit({ params }: { params: Params }) {
  return <Allowed title={t("kedit.title")} permission="coordinator"><Editor key={params.id} id={params.id} /></Allowed>;
}

function Editor({ id }: { id: string }) {
  const fresh = id === "new";
  const loaded = useLoad((signal) => fresh ? Promise.resolve(null) : api.get<Article>(`/v1/articles/${encodeURIComponent(id)}`, signal), [id]);
  if (loaded.error) return <Layout title={t("kedit.title")}><ErrorNote error={loaded.error} retry={loaded.reload} /></Layout>;
  if (loaded.loading && loaded.data === undefined) return <Layout title={t("kedit.title")}><Loading /></Layout>;
  const article = loaded.data ?? null;
  if (article && article.origin === "platform") {
    return <Layout title={t("kedit.title")}><p class="notice">{t("kedit.platform")}</p>
      <p><Link href={`/advice/${encodeURIComponent(id)}`}>{t("kedit.read")}</Link></p></Layout>;
  }
  return <Form id={fresh ? null : id} article={article} />;
}

function Form({ id: given, article }: { id: string | null; article: Article | null }) {
  const [id, setId] = useState(given);
  const source: Partial<Fields> = article ? (article.draft ?? article) : {};
  const initial = Object.fromEntries(Object.entries(BLANK).map(([k, v]) => [k, (source as any)[k] ?? v])) as Fields;
  const [form, setForm] = useState<Fields>(initial);
  const [saved, setSaved] = useState<Fields>(initial);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState(false);
  const [version, setVersion] = useState(article?.version ?? 0);
  const [versionsTick, setVersionsTick] = useState(0);
  const set = (name: keyof Fields) => (e: Event) => {
    const target = e.target as HTMLInputElement;
    const value = name === "min_age" ? Number(target.value) : name === "review_by" ? (target.value || null) : target.value;
    setForm({ ...form, [name]: value });
  };
  const toggleTag = (tag: string) => setForm({
    ...form, tags: form.tags.includes(tag) ? form.tags.filter((x) => x !== tag) : [...form.tags, tag],
  });
  const changed = JSON.stringify(form) !== JSON.stringify(saved);

  /** Saves the draft (creating the article the first time); the article's id. */
  const save = async (): Promise<string> => {
    if (!id) {
      const made = await api.post<Article>("/v1/articles", form);
      setSaved(form);
      setId(made.id);
      // The address becomes the article's own (reloading it edits this article), without
      // remounting the page: what was just said (saved, published) stays on screen.
      history.replaceState(null, "", `/staff/articles/${encodeURIComponent(made.id)}`);
      return made.id;
    }
    if (changed) {
      await api.patch(`/v1/articles/${encodeURIComponent(id)}`, form);
      setSaved(form);
    }
    return id;
  };
  const act = async (what: "save" | "publish") => {
    setError(null); setStatus(null); setBusy(true);
    try {
      if (!form.title.trim() || !form.body.trim()) throw new Error(t("kedit.required"));
      const articleId = await save();
      if (what === "publish") {
        const published = await api.post<Article>(`/v1/articles/${encodeURIComponent(articleId)}/publish`);
        setVersion(published.version);
        setVersionsTick((n) => n + 1);
        setStatus(t("kedit.published", { n: published.version }));
      } else {
        setStatus(t("kedit.saved"));
      }
    } catch (err) { setError(err); } finally { setBusy(false); }
  };

  return (
    <Layout title={id ? t("kedit.editTitle", { title: saved.title || t("kedit.untitled") }) : t("kedit.newTitle")}>
      <p><Link href="/staff/articles">{t("kedit.back")}</Link></p>
      <p class="hint">{version > 0 ? t("kedit.state.published", { n: version }) : t("kedit.state.draft")}
        {changed && <> {t("kedit.unsaved")}</>}</p>
      <form class="stack editor" onSubmit={(e) => { e.preventDefault(); act("save"); }}>
        <div class="field">
          <label for="a-title">{t("kedit.field.title")}</label>
          <input id="a-title" value={form.title} maxLength={200} required onInput={set("title")} />
        </div>
        <div class="field">
          <label for="a-summary">{t("kedit.field.summary")}</label>
          <textarea id="a-summary" rows={2} maxLength={500} value={form.summary} aria-describedby="a-summary-hint" onInput={set("summary")} />
          <p class="hint" id="a-summary-hint">{t("kedit.hint.summary")}</p>
        </div>
        <div class="row">
          <div class="field">
            <label for="a-audience">{t("kedit.field.audience")}</label>
            <select id="a-audience" value={form.audience} onChange={set("audience")}>
              {AUDIENCES.map((x) => <option value={x}>{t(`audience.${x}` as Key)}</option>)}
            </select>
          </div>
          <div class="field">
            <label for="a-age">{t("kedit.field.minAge")}</label>
            <input id="a-age" type="number" min={10} max={25} value={form.min_age} aria-describedby="a-age-hint" onInput={set("min_age")} />
            <p class="hint" id="a-age-hint">{t("kedit.hint.minAge")}</p>
          </div>
          <div class="field">
            <label for="a-language">{t("kedit.field.language")}</label>
            <select id="a-language" value={form.language} onChange={set("language")}>
              <option value="en" lang="en">English</option>
              <option value="es" lang="es">Español</option>
            </select>
          </div>
          <div class="field">
            <label for="a-review">{t("kedit.field.review")}</label>
            <input id="a-review" type="date" value={form.review_by ?? ""} aria-describedby="a-review-hint" onInput={set("review_by")} />
            <p class="hint" id="a-review-hint">{t("kedit.hint.review")}</p>
          </div>
        </div>
        <fieldset>
          <legend>{t("kedit.field.tags")}</legend>
          <div class="tags">
            {TAGS.map((tag) => (
              <div class="check">
                <input type="checkbox" id={`tag-${tag}`} checked={form.tags.includes(tag)} onChange={() => toggleTag(tag)} />
                <label for={`tag-${tag}`}>{tagName(tag)}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <div class="field">
          <label for="a-body">{t("kedit.field.body")}</label>
          <textarea id="a-body" class="body" rows={14} maxLength={50000} value={form.body} aria-describedby="a-body-hint" onInput={set("body")} />
          <p class="hint" id="a-body-hint">{t("kedit.hint.body")}</p>
        </div>
        {error !== null && <ErrorNote error={error} />}
        {status && <p role="status" class="ok">{status}</p>}
        <div class="row">
          <button type="submit" class="secondary" disabled={busy}>{t("kedit.save")}</button>
          <button type="button" class="secondary" aria-expanded={preview} aria-controls="preview"
                  onClick={() => setPreview(!preview)}>{preview ? t("kedit.hidePreview") : t("kedit.preview")}</button>
          <button type="button" disabled={busy} onClick={() => act("publish")}>{t("kedit.publish")}</button>
        </div>
      </form>
      <div id="preview">{preview && <Preview fields={form} />}</div>
      {id && <Versions id={id} tick={versionsTick} />}
    </Layout>
  );
}

function Preview({ fields }: { fields: Fields }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => { box.current?.replaceChildren(markdownNodes(fields.body)); }, [fields.body]);
  return (
    <section aria-labelledby="preview-h" class="card preview stack">
      <h2 id="preview-h">{t("kedit.previewHeading")}</h2>
      <p class="preview-title"><strong>{fields.title || t("kedit.untitled")}</strong></p>
      {fields.summary && <p class="lede">{fields.summary}</p>}
      <div class="article-body" ref={box} />
    </section>
  );
}

function Versions({ id, tick }: { id: string; tick: number }) {
  const loaded = useLoad((signal) => api.get(`/v1/articles/${encodeURIComponent(id)}/versions`, signal), [id, tick]);
  return (
    <section aria-labelledby="versions-h">
      <h2 id="versions-h">{t("kedit.versions")}</h2>
      <Show loaded={loaded}>{(data: any) => data.items.length === 0 ? <Empty>{t("kedit.noVersions")}</Empty> : (
        <ul class="plain">
          {data.items.map((v: any) => (
            <li>{t("kedit.version", { n: v.version, title: v.title, when: formatDateTime(v.published_at) })}</li>
          ))}
        </ul>
      )}</Show>
    </section>
  );
}
