// The conversation, live: history from GET /messages, then the server-sent-events stream
// (GET /messages/live) adds new messages and status changes, merged by id. What the reader has
// seen (the page open and visible) moves their read marker, so home stops counting it as new.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, refreshSession } from "../api";
import { Empty, ErrorNote, Loading } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDateTime, formatTime, t } from "../i18n";
import { matchWithOther } from "../people";
import { Link, type Params } from "../router";
import { pausedSentence, ReportEntry } from "../safeguarding/help";
import { me } from "../session";
import { type Card, ShareArticle, SharedCard } from "../knowledge/Share"; // knowledge: shared-article cards

const PAUSED_RECHECK_MS = 10_000; // while paused, look again so the send box returns when contact resumes

type Message = { id: string; sender_id: string; body: string | null; status: string; created_at: string;
  delivered_at: string | null; card?: Card | null };

/** Messages delivered to the reader, in the order the server keeps read markers (delivery time, then id). */
function deliveredTo(list: Message[], reader: string): Message[] {
  const key = (m: Message) => `${new Date(m.delivered_at!).toISOString()} ${m.id}`;
  return list.filter((m) => m.status === "delivered" && m.delivered_at && m.sender_id !== reader)
    .sort((a, b) => key(a).localeCompare(key(b)));
}

/** The first of the `unread` messages last delivered to the reader, in the page's order: where "New messages" goes. */
function firstNew(list: Message[], reader: string, unread: number): string | null {
  const news = new Set(unread > 0 ? deliveredTo(list, reader).slice(-unread).map((m) => m.id) : []);
  return list.find((m) => news.has(m.id))?.id ?? null;
}

function merge(list: Message[], incoming: Message[]): Message[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

export function Conversation({ params }: { params: Params }) {
  const [other, setOther] = useState<any>(null);
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sendError, setSendError] = useState<unknown>(null);
  const [text, setText] = useState("");
  const [connected, setConnected] = useState(true);
  const [paused, setPaused] = useState<string[]>([]);
  const [newFrom, setNewFrom] = useState<string | null>(null); // as it was on opening; read ones stay below it
  const end = useRef<HTMLLIElement>(null);
  const divider = useRef<HTMLLIElement>(null);
  const shownNew = useRef(false);

  useEffect(() => {
    let source: EventSource | null = null;
    let closed = false;
    Promise.all([
      matchWithOther(params.id), api.get(`/v1/matches/${params.id}/messages?limit=100`),
      api.get(`/v1/matches/${params.id}/conversation`),
    ]).then(([{ other }, page, conversation]) => {
      setOther(other);
      setPaused(conversation.paused_for ?? []);
      setNewFrom(firstNew(page.items, me.value!.person_id!, conversation.unread ?? 0));
      setMessages((list) => merge(list ?? [], page.items));
      const open = () => {
        if (closed) return;
        source = new EventSource(`/v1/matches/${params.id}/messages/live`);
        source.addEventListener("open", () => setConnected(true));
        source.addEventListener("message", (e) => setMessages((list) => merge(list ?? [], [JSON.parse(e.data)])));
        source.addEventListener("error", async () => {
          if (source?.readyState === EventSource.CLOSED) { // refused (e.g. the session expired): refresh, reopen
            setConnected(false);
            await refreshSession();
            setTimeout(open, 1000);
          }
        });
      };
      open();
    }).catch(setError);
    return () => { closed = true; source?.close(); };
  }, [params.id]);

  useEffect(() => { // the first new message on opening, then the latest as more arrive
    if (divider.current && !shownNew.current) {
      shownNew.current = true;
      divider.current.scrollIntoView?.({ block: "start" });
    } else end.current?.scrollIntoView?.({ block: "nearest" });
  }, [messages?.length]);
  const marked = useRef<string | null>(null);
  useEffect(() => {
    const markRead = () => {
      const last = messages && deliveredTo(messages, me.value!.person_id!).at(-1);
      if (!last || last.id === marked.current || document.visibilityState !== "visible") return;
      marked.current = last.id;
      api.post(`/v1/matches/${params.id}/messages/read`, { up_to_message_id: last.id })
        .catch(() => { marked.current = null; }); // counted as new a little longer: tried again on the next message
    };
    markRead();
    document.addEventListener("visibilitychange", markRead);
    return () => document.removeEventListener("visibilitychange", markRead);
  }, [messages, params.id]);
  useEffect(() => {
    if (paused.length === 0) return;
    const timer = setInterval(() => {
      api.get(`/v1/matches/${params.id}/conversation`).then((c) => setPaused(c.paused_for ?? []), () => undefined);
    }, PAUSED_RECHECK_MS);
    return () => clearInterval(timer);
  }, [params.id, paused.length]);

  if (error) return <Layout title={t("state.error")}><ErrorNote error={error} /></Layout>;
  if (!other || !messages) return <Layout title={t("match.conversation")}><Loading /></Layout>;
  const mine = me.value!.person_id;
  return (
    <Layout title={t("chat.title", { name: other.name })}>
      {paused.length > 0 && <p class="notice" data-testid="paused">{pausedSentence(paused)}</p>}
      {paused.length === 0 && <p class="hint">{connected ? t("chat.live") : t("chat.reconnecting")}</p>}
      {messages.length === 0 ? <Empty>{t("chat.empty")}</Empty> : null}
      <ol class="chat" aria-live="polite" aria-relevant="additions text" data-testid="messages">
        {messages.map((m) => [
          m.id === newFrom && <li ref={divider} class="new-divider" data-testid="new-divider">{t("chat.new")}</li>,
          <li class={`bubble ${m.sender_id === mine ? "mine" : "theirs"} ${m.status}`} data-status={m.status}>
            <p class="who">
              <strong>{m.sender_id === mine ? t("chat.you") : other.name}</strong>{" "}
              <time dateTime={m.created_at} title={formatDateTime(m.created_at)}>{formatTime(m.created_at)}</time>
            </p>
            {m.card?.kind === "article" ? <SharedCard card={m.card} /> : <p class="body">{m.body}</p>}
            {m.status === "held" && <p class="status">{t("chat.held", { name: other.name })}</p>}
            {m.status === "rejected" && <p class="status">{t("chat.rejected")}</p>}
            {m.sender_id !== mine && (
              <p class="report-one">
                <Link href={`/report?match=${encodeURIComponent(params.id)}&message=${encodeURIComponent(m.id)}`}
                      aria-label={t("chat.reportLabel", { name: other.name })}>{t("chat.report")}</Link>
              </p>
            )}
          </li>,
        ])}
        <li ref={end} aria-hidden="true" class="end" />
      </ol>
      {me.value?.role === "mentor" && paused.length === 0 && <ShareArticle matchId={params.id} name={other.name} />}
      {paused.length === 0 && <form class="composer" onSubmit={async (e) => {
        e.preventDefault();
        const body = text.trim();
        if (!body) return;
        setSendError(null);
        try {
          const sent = await api.post(`/v1/matches/${params.id}/messages`, { body });
          setMessages((list) => merge(list ?? [], [sent]));
          setText("");
        } catch (err) {
          if (err instanceof ApiError && err.code === "match_paused") {
            setPaused(((err.details as any)?.paused_for as string[] | undefined) ?? ["concern"]);
          }
          setSendError(err);
        }
      }}>
        {sendError && <ErrorNote error={sendError} />}
        <label for="compose">{t("chat.write")}</label>
        <textarea id="compose" rows={3} maxLength={4000} value={text}
                  onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) (e.currentTarget.form as HTMLFormElement).requestSubmit();
                  }} />
        <button type="submit">{t("chat.send")}</button>
      </form>}
      <ReportEntry matchId={params.id} />
    </Layout>
  );
}
