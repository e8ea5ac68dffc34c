// Download my data (everything the API shows the person about themself, in one JSON file)
// and delete my account (DELETE /v1/people/{id}: erased from every service).
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote } from "../components/states";
import { Layout } from "../components/Layout";
import { t } from "../i18n";
import { me, person } from "../session";

async function everything() {
  const id = me.value!.person_id!;
  const [profile, matches, sessions] = await Promise.all([
    api.get(`/v1/people/${id}`), api.get("/v1/matches?limit=200"), api.get("/v1/sessions?limit=200"),
  ]);
  const conversations = await Promise.all(matches.items.filter((m: any) => m.status === "active" || m.status === "ended")
    .map(async (m: any) => ({ match_id: m.id, messages: (await api.get(`/v1/matches/${m.id}/messages?limit=200`)).items })));
  return { exported_at: new Date().toISOString(), profile, matches: matches.items, sessions: sessions.items, conversations };
}

export function MyData() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState("");
  const [deleted, setDeleted] = useState(false);
  if (deleted) return <Layout title={t("data.title")}><p role="status">{t("data.deleted")}</p></Layout>;
  return (
    <Layout title={t("data.title")}>
      {error && <ErrorNote error={error} />}
      <section class="card stack" aria-labelledby="download-h">
        <h2 id="download-h">{t("data.download")}</h2>
        <p>{t("data.downloadHint")}</p>
        <button type="button" disabled={busy} onClick={async () => {
          setBusy(true); setError(null);
          try {
            const blob = new Blob([JSON.stringify(await everything(), null, 2)], { type: "application/json" });
            const a = document.createElement("a");
            a.href = URL.createObjectURL(blob);
            a.download = "my-ementor-data.json";
            a.click();
            setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
          } catch (e) { setError(e); } finally { setBusy(false); }
        }}>{busy ? t("data.preparing") : t("data.download")}</button>
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
