// The pages a guardian reaches from the consent email (/guardian/consent?token=) and the
// confirmation email (/guardian/withdraw?token=). The token is the only credential.
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDateTime, t, type Key } from "../i18n";
import { query } from "../router";

export function GuardianConsent() {
  const token = query("token") ?? "";
  const loaded = useLoad((s) => api.get(`/v1/guardian-consents/${encodeURIComponent(token)}`, s), [token]);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const decide = async (decision: "grant" | "decline") => {
    setError(null);
    try {
      await api.post("/v1/guardian-consents/complete", { token, decision });
      setResult(decision);
    } catch (e) { setError(e); }
  };
  const name = loaded.data?.mentee_first_name ?? "";
  return (
    <Layout title={loaded.data ? t("guardian.title", { name }) : t("state.loading")}>
      <Show loaded={loaded}>{(c: any) => result ? (
        <p role="status" class="ok">{result === "grant" ? t("guardian.granted") : t("guardian.declined", { name })}</p>
      ) : (
        <>
          <p>{c.programme ? t("guardian.intro", { organisation: c.organisation, name, programme: c.programme })
            : t("guardian.introNoProgramme", { organisation: c.organisation, name })}</p>
          {c.programme_description && <p>{c.programme_description}</p>}
          <h2>{t("guardian.how")}</h2>
          <ul>{(c.supervision ?? []).map((s: string) => <li>{s}</li>)}</ul>
          <p>{t("guardian.state", { state: t(`guardian.state.${c.state}` as Key) })}</p>
          {c.expires_at && <p class="hint">{t("guardian.expires", { when: formatDateTime(c.expires_at) })}</p>}
          {error && <ErrorNote error={error} />}
          <div class="actions">
            <button type="button" onClick={() => decide("grant")}>{t("guardian.grant")}</button>
            <button type="button" class="secondary" onClick={() => decide("decline")}>{t("guardian.decline")}</button>
          </div>
        </>
      )}</Show>
    </Layout>
  );
}

export function GuardianWithdraw() {
  const token = query("token") ?? "";
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Layout title={t("guardian.withdrawTitle")}>
      {done ? <p role="status" class="ok">{t("guardian.withdrawn")}</p> : (
        <>
          <p>{t("guardian.withdrawBody")}</p>
          {error && <ErrorNote error={error} />}
          <button type="button" class="danger" onClick={async () => {
            setError(null);
            try { await api.post("/v1/guardian-consents/withdraw", { token }); setDone(true); } catch (e) { setError(e); }
          }}>{t("guardian.withdraw")}</button>
        </>
      )}
    </Layout>
  );
}
