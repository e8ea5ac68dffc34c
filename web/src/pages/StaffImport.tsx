// The CSV import on /staff/people: the file is posted as text/csv, then its progress is polled
// until it completes; refused rows are listed with what to fix, by spreadsheet row number. The people
// it adds are invited to sign in, at a steady pace, unless the coordinator unticks it.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote } from "../components/states";
import { t } from "../i18n";
import { Check } from "../staff/forms";
import { ProgrammeField, programmeOrOnly, useProgrammes } from "../staff/programmes";

const POLL_MS = 500;
// The pace of invitation emails: a large import does not arrive in every inbox in the same minute.
const INVITATIONS_PER_HOUR = 100;

export function ImportPeople({ onFinished }: { onFinished: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [invite, setInvite] = useState(true);
  const programmes = useProgrammes();
  const [programme, setProgramme] = useState<string | null>(null);
  const programmeId = programmeOrOnly(programme, programmes.data);
  const [job, setJob] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!job || job.status === "completed") return;
    const timer = setTimeout(async () => {
      try {
        const next = await api.get(`/v1/people/imports/${job.id}`);
        setJob(next);
        if (next.status === "completed") onFinished();
      } catch (err) { setError(err); }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [job]);
  const running = job && job.status !== "completed";
  return (
    <section class="card stack" aria-labelledby="import-h">
      <h2 id="import-h">{t("import.title")}</h2>
      <p id="import-hint">{t("import.intro")} <a href="/v1/people/imports/template.csv" download="people-template.csv">
        {t("import.template")}</a></p>
      <form class="stack" onSubmit={async (e) => {
        e.preventDefault(); setError(null);
        if (!file) return;
        try {
          const pace = invite ? INVITATIONS_PER_HOUR : 0;
          const into = programmeId ? `&programme_id=${encodeURIComponent(programmeId)}` : "";
          const accepted = await api.postText(`/v1/people/imports?invitations_per_hour=${pace}${into}`, await file.text(),
                                              "text/csv");
          setJob({ ...accepted, processed: 0, refused: [], refused_count: 0 });
        } catch (err) { setError(err); }
      }}>
        <div class="field"><label for="import-file">{t("import.file")}</label>
          <input id="import-file" type="file" accept=".csv,text/csv" required aria-describedby="import-hint"
                 onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} /></div>
        <ProgrammeField id="import-programme" programmes={programmes} value={programmeId} hint={t("import.programmeHint")}
                        onChange={setProgramme} />
        <Check id="import-invite" label={t("import.invite")} hint={t("import.inviteHint", { n: INVITATIONS_PER_HOUR })}
               checked={invite} onChange={setInvite} />
        <button type="submit" disabled={!!running}>{t("import.start")}</button>
      </form>
      {error !== null && <ErrorNote error={error} />}
      {job && <Progress job={job} />}
    </section>
  );
}

function Progress({ job }: { job: any }) {
  const done = job.status === "completed";
  return (
    <div class="stack">
      <label for="import-progress">{t("import.progress", { processed: job.processed, total: job.total })}</label>
      <progress id="import-progress" max={Math.max(job.total, 1)} value={job.processed} />
      <p role="status">{done
        ? t("import.done", { created: job.created, updated: job.updated, unchanged: job.unchanged, refused: job.refused_count })
        : t("import.running")}</p>
      {done && job.refused.length > 0 && (
        <table>
          <caption>{t("import.refused")}</caption>
          <thead><tr><th scope="col">{t("import.row")}</th><th scope="col">{t("import.problems")}</th></tr></thead>
          <tbody>{job.refused.map((r: any) => (
            <tr><th scope="row">{r.row}</th><td>{r.errors.join("; ")}</td></tr>
          ))}</tbody>
        </table>
      )}
    </div>
  );
}
