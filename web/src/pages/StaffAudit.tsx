// /staff/audit: the moderation audit log (append-only), newest first, a page at a time: when,
// who decided, what, on which conversation and why; filtered by match or message (the API's filters).
import { useState } from "preact/hooks";
import { api } from "../api";
import { Empty, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { Allowed } from "../staff/Allowed";
import { formatDateTime, t, type Key } from "../i18n";
import { can, me } from "../session";
import { listAll, personName } from "../staff/lists";

export const PAGE_SIZE = 25;

const matches = new Map<string, Promise<string>>();
function conversation(matchId: string): Promise<string> {
  if (!matches.has(matchId)) {
    matches.set(matchId, api.get(`/v1/matches/${matchId}`).then(
      async (m: any) => t("audit.between", { mentee: await personName(m.mentee_id), mentor: await personName(m.mentor_id) }),
      () => { matches.delete(matchId); return t("audit.unknownMatch"); }));
  }
  return matches.get(matchId)!;
}

let staffNames: Promise<Record<string, string>> | null = null;
function staffDirectory(): Promise<Record<string, string>> {
  if (!can("manage_staff")) return Promise.resolve({});
  staffNames ??= listAll("/v1/staff", undefined, 1000).then(
    (list) => Object.fromEntries(list.map((s: any) => [s.id, s.name])), () => { staffNames = null; return {}; });
  return staffNames;
}

function who(actor: string, staff: Record<string, string>): string {
  if (actor === "system") return t("audit.system");
  const [kind, id] = [actor.slice(0, actor.indexOf(":")), actor.slice(actor.indexOf(":") + 1)];
  if (kind === "staff") {
    if (id === me.value?.staff_id) return t("audit.you");
    return t("audit.by", { who: staff[id] ?? t("audit.staffRef", { ref: id.slice(-6) }) });
  }
  if (kind === "integration") return t("audit.integration");
  return t("audit.by", { who: actor });
}

async function loadPage(filters: { match_id: string; message_id: string }, cursor: string | null, signal: AbortSignal) {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.match_id) q.set("match_id", filters.match_id);
  if (filters.message_id) q.set("message_id", filters.message_id);
  if (cursor) q.set("cursor", cursor);
  const [page, staff] = await Promise.all([api.get(`/v1/moderation/audit?${q}`, signal), staffDirectory()]);
  const items = await Promise.all(page.items.map(async (e: any) => ({
    ...e, who: who(e.actor, staff), between: await conversation(e.match_id) })));
  return { items, next: page.next_cursor as string | null };
}

export function StaffAudit() {
  const title = t("audit.title");
  // The API lets coordinators and holders of audit_log (safeguarding leads, admins) read it.
  if (!can("coordinator") && can("audit_log")) return <AuditBody />;
  return <Allowed title={title} permission="coordinator"><AuditBody /></Allowed>;
}

function AuditBody() {
  const [draft, setDraft] = useState({ match_id: "", message_id: "" });
  const [filters, setFilters] = useState(draft);
  const [cursors, setCursors] = useState<(string | null)[]>([null]); // the pages seen, for "Newer"
  const cursor = cursors[cursors.length - 1];
  const loaded = useLoad((signal) => loadPage(filters, cursor, signal), [filters.match_id, filters.message_id, cursor]);
  const set = (k: string) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value.trim() });
  return (
    <Layout title={t("audit.title")}>
      <p>{t("audit.intro")}</p>
      <form class="card row" role="search" aria-label={t("audit.filters")} onSubmit={(e) => {
        e.preventDefault(); setCursors([null]); setFilters(draft);
      }}>
        <div class="field"><label for="audit-match">{t("audit.match")}</label>
          <input id="audit-match" value={draft.match_id} onInput={set("match_id")} aria-describedby="audit-hint" /></div>
        <div class="field"><label for="audit-message">{t("audit.message")}</label>
          <input id="audit-message" value={draft.message_id} onInput={set("message_id")} aria-describedby="audit-hint" /></div>
        <p class="hint" id="audit-hint">{t("audit.filterHint")}</p>
        <div class="row">
          <button type="submit">{t("audit.filter")}</button>
          {(filters.match_id || filters.message_id) && <button type="button" class="secondary" onClick={() => {
            const none = { match_id: "", message_id: "" }; setDraft(none); setFilters(none); setCursors([null]);
          }}>{t("audit.clear")}</button>}
        </div>
      </form>
      <Show loaded={loaded}>{(page) => (
        <section aria-labelledby="audit-h">
          <h2 id="audit-h">{t("audit.pageN", { n: cursors.length })}</h2>
          {page.items.length === 0 ? <Empty>{t("audit.none")}</Empty> : (
            <div class="scroll">
              <table>
                <thead><tr><th scope="col">{t("audit.when")}</th><th scope="col">{t("audit.what")}</th>
                  <th scope="col">{t("audit.where")}</th></tr></thead>
                <tbody>{page.items.map((e: any) => (
                  <tr>
                    <th scope="row">{formatDateTime(e.at, { dateStyle: "medium" })}</th>
                    <td><span class={`badge ${e.decision}`}>{t(`audit.decision.${e.decision}` as Key)}</span>
                      <p class="hint">{e.who}</p>
                      {e.held_reasons.length > 0 && <p class="hint">{t("moderation.heldFor")} {e.held_reasons.map((r: string) =>
                        t(`moderation.reason.${r}` as Key) || r).join("; ")}</p>}
                      {e.reason && <p>{t("audit.reason", { reason: e.reason })}</p>}</td>
                    <td>{e.between}
                      {!filters.match_id && <p><button type="button" class="link" onClick={() => {
                        const only = { match_id: e.match_id, message_id: "" }; setDraft(only); setFilters(only); setCursors([null]);
                      }}>{t("audit.onlyThis")}</button></p>}</td>
                  </tr>
                ))}</tbody>
              </table>
            </div>
          )}
          <div class="row">
            {cursors.length > 1 && <button type="button" class="secondary"
              onClick={() => setCursors(cursors.slice(0, -1))}>{t("audit.newer")}</button>}
            {page.next && <button type="button" class="secondary"
              onClick={() => setCursors([...cursors, page.next])}>{t("audit.older")}</button>}
          </div>
        </section>
      )}</Show>
    </Layout>
  );
}
