import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote } from "../components/states";
import { Layout } from "../components/Layout";
import { t } from "../i18n";
import { query } from "../router";
import { safePath } from "./SecondFactor";

/** Whether the organisation offers single sign-on (asked once the slug has stopped changing). */
function useSso(slug: string): boolean {
  const [offered, setOffered] = useState<{ slug: string; sso: boolean } | null>(null);
  useEffect(() => {
    const clean = slug.trim().toLowerCase();
    if (!/^[a-z0-9-]{1,63}$/.test(clean)) return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api.get(`/v1/auth/sso/${encodeURIComponent(clean)}`, abort.signal)
        .then((answer) => setOffered({ slug: clean, sso: !!answer.sso }), () => undefined); // no answer: links only
    }, 300);
    return () => { clearTimeout(timer); abort.abort(); };
  }, [slug]);
  return !!offered?.sso && offered.slug === slug.trim().toLowerCase();
}

export function SignIn() {
  const [organisation, setOrganisation] = useState(query("organisation") ?? localStorage.getItem("ementor.org") ?? "");
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const sso = useSso(organisation);
  if (sent) {
    return (
      <Layout title={t("signIn.sent")}>
        <p role="status">{t("signIn.sentBody", { email, organisation })}</p>
        <p><button type="button" class="link" onClick={() => setSent(false)}>{t("signIn.again")}</button></p>
      </Layout>
    );
  }
  return (
    <Layout title={t("signIn.title")}>
      <p>{t("signIn.intro")}</p>
      <form class="card stack" onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true); setError(null);
        try {
          await api.post("/v1/auth/sign-in", { organisation: organisation.trim(), email: email.trim(),
            return_to: safePath(query("next")) }); // the emailed link opens the page that sent them here
          localStorage.setItem("ementor.org", organisation.trim());
          setSent(true);
        } catch (err) { setError(err); } finally { setBusy(false); }
      }}>
        <div class="field">
          <label for="org">{t("signIn.organisation")}</label>
          <input id="org" name="organisation" required autoComplete="organization" aria-describedby="org-hint"
                 value={organisation} onInput={(e) => setOrganisation((e.target as HTMLInputElement).value)} />
          <p class="hint" id="org-hint">{t("signIn.organisationHint")}</p>
        </div>
        <div class="field">
          <label for="email">{t("signIn.email")}</label>
          <input id="email" name="email" type="email" required autoComplete="email"
                 value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </div>
        {error && <ErrorNote error={error} />}
        <button type="submit" disabled={busy}>{t("signIn.submit")}</button>
      </form>
      {sso && (
        <section class="card stack" aria-labelledby="sso-h">
          <h2 id="sso-h">{t("signIn.ssoTitle")}</h2>
          <p>{t("signIn.ssoIntro")}</p>
          <p><a class="button" href={`/v1/auth/sso/${encodeURIComponent(organisation.trim().toLowerCase())}/start?` +
            new URLSearchParams({ return_to: safePath(query("next")) })}
                onClick={() => localStorage.setItem("ementor.org", organisation.trim())}>{t("signIn.sso")}</a></p>
        </section>
      )}
    </Layout>
  );
}
