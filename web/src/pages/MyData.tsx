// Download my data: the platform gathers a copy of everything it holds about the person (POST
// /v1/people/{id}/data-exports; every service adds its part in the background), the page says in
// words how far it has got, and offers the archive (.zip: JSON per service and a plain summary)
// once it is ready. Delete my account: DELETE /v1/people/{id}, erased from every service.
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { ErrorNote } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDate, formatDateTime, list, t, type Key } from "../i18n";
import { me, person } from "../session";

const POLL_MS = 1500;

type Export = {
  id: string; status: "gathering" | "ready" | "refused"; services: string[]; services_done: string[];
  waiting_for: string[]; created_at: string; ready_at?: string | null; expires_at?: string | null;
  download_url?: string | null; problem?: string | null;
};

/** A service's part in the person's words ("your messages"); the service's name if the app has none. */
function part(service: string): string {
  const key = ("data.part." + service) as Key;
  const words = t(key);
  return words === key ? service : words;
}

function exportsPath(): string {
  return `/v1/people/${me.value!.person_id}/data-exports`;
}

export function MyData() {
  const [job, setJob] = useState<Export | null>(null);
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState("");
  const [deleted, setDeleted] = useState(false);
  // The newest export (asked for earlier, perhaps on another device) is shown on arrival.
  useEffect(() => {
    if (!me.value?.person_id) return;
    api.get<{ items: Export[] }>(exportsPath()).then((list) => setJob((j) => j ?? list.items[0] ?? null), setError);
  }, []);
  // While it is gathered, ask how far it has got.
  useEffect(() => {
    if (!job || job.status !== "gathering") return;
    const timer = setTimeout(async () => {
      try { setJob(await api.get<Export>(`${exportsPath()}/${job.id}`)); } catch (e) { setError(e); }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [job]);
  if (deleted) return <Layout title={t("data.title")}><p role="status">{t("data.deleted")}</p></Layout>;
  const gathering = job?.status === "gathering";
  return (
    <Layout title={t("data.title")}>
      {error !== null && <ErrorNote error={error} />}
      <section class="card stack" aria-labelledby="download-h">
        <h2 id="download-h">{t("data.download")}</h2>
        <p>{t("data.downloadHint")}</p>
        {job && <ExportState job={job} />}
        {!gathering && (
          <button type="button" disabled={asking} onClick={async () => {
            setAsking(true); setError(null);
            try {
              setJob(await api.post<Export>(exportsPath(), {}));
            } catch (e) {
              // One is already being gathered (another tab, another device): follow that one.
              const running = e instanceof ApiError && e.code === "export_in_progress" && (e.details as any)?.export_id;
              if (running) setJob(await api.get<Export>(`${exportsPath()}/${running}`).catch(() => null));
              else setError(e);
            } finally { setAsking(false); }
          }}>{job?.status === "ready" ? t("data.askAgain") : t("data.ask")}</button>
        )}
      </section>
      <section class="card stack danger" aria-labelledby="delete-h">
        <h2 id="delete-h">{t("data.delete")}</h2>
        <p>{t("data.deleteHint")}</p>
        <div class="field">
          <label for="confirm">{t("data.confirm")}</label>
          <input id="confirm" value={confirm} autoComplete="off" onInput={(e) => setConfirm((e.target as HTMLInputElement).value)} />
        </div>
        <button type="button" class="danger" disabled={confirm !== "DELETE"} onClick={async () => {
          setError(null);
          try {
            await api.del(`/v1/people/${me.value!.person_id}`);
            setDeleted(true); person.value = null; me.value = { ...me.value!, person_id: null };
          } catch (e) { setError(e); }
        }}>{t("data.deleteButton")}</button>
      </section>
    </Layout>
  );
}

function ExportState({ job }: { job: Export }) {
  if (job.status === "refused") return <p role="status">{t("data.refused")}</p>;
  if (job.status === "ready") {
    return (
      <div class="stack">
        <p role="status">{t("data.ready", { at: formatDateTime(job.ready_at ?? job.created_at) })}
          {job.expires_at && " " + t("data.kept", { until: formatDate(job.expires_at) })}</p>
        <a class="button download" href={job.download_url!} download={`ementor-data-${job.id}.zip`}>{t("data.downloadZip")}</a>
        <p class="hint">{t("data.contents")}</p>
      </div>
    );
  }
  const total = Math.max(job.services.length, job.services_done.length, 1);
  const done = job.services_done.length;
  return (
    <div class="stack">
      <label for="export-progress">{t("data.gathering", { done, total })}</label>
      <progress id="export-progress" max={total} value={done} />
      <p role="status" aria-live="polite">
        {done > 0 ? t("data.gathered", { parts: list(job.services_done.map(part)) }) : t("data.started")}
        {job.waiting_for.length > 0 && " " + t("data.waiting", { parts: list(job.waiting_for.map(part)) })}
      </p>
    </div>
  );
}
