// The staff second factor, after the emailed link or single sign-on: a code from the
// authenticator app (or a recovery code) finishes signing in. Staff who have no authenticator
// yet enrol here first: the secret is shown as text (and as an otpauth:// link for a phone).
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote, Loading } from "../components/states";
import { Layout } from "../components/Layout";
import { t } from "../i18n";
import { Link, navigate, query } from "../router";
import { loadMe } from "../session";

/** Only a path of this site: never another host. */
export function safePath(value: string | null): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\") ? value : "/";
}

const enrolments = new Map<string, Promise<any>>(); // one enrolment per challenge, whatever re-renders

function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, "$1 ").trim();
}

export function SecondFactor() {
  const challenge = query("challenge");
  const enrolling = query("second_factor") === "totp_enrolment";
  const next = safePath(query("return_to") ?? query("next"));
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [codes, setCodes] = useState<string[] | null>(null);

  useEffect(() => {
    if (!challenge || !enrolling) return;
    if (!enrolments.has(challenge)) enrolments.set(challenge, api.post("/v1/auth/totp/enrol", { challenge }));
    enrolments.get(challenge)!.then(setEnrolment, setError);
  }, [challenge, enrolling]);

  if (!challenge) {
    return <Layout title={t("totp.title")}><p>{t("totp.noChallenge")}</p>
      <p><Link href="/sign-in">{t("complete.newLink")}</Link></p></Layout>;
  }
  const finish = async () => { await loadMe(); navigate(next, true); };
  if (codes) {
    return (
      <Layout title={t("totp.recoveryTitle")}>
        <p>{t("totp.recoveryIntro")}</p>
        <ul class="codes" aria-label={t("totp.recoveryTitle")}>{codes.map((c) => <li><code>{c}</code></li>)}</ul>
        <button type="button" onClick={finish}>{t("totp.recoverySaved")}</button>
      </Layout>
    );
  }
  if (enrolling && !enrolment && !error) return <Layout title={t("totp.enrolTitle")}><Loading /></Layout>;
  return (
    <Layout title={enrolling ? t("totp.enrolTitle") : t("totp.title")}>
      {enrolling && enrolment && (
        <section class="card stack" aria-labelledby="enrol-h">
          <h2 id="enrol-h">{t("totp.enrolStep")}</h2>
          <p>{t("totp.enrolIntro")}</p>
          <p>{t("totp.secretLabel")}</p>
          <p class="secret"><code data-testid="totp-secret">{grouped(enrolment.secret)}</code></p>
          <p class="hint">{t("totp.secretHint")}</p>
          <p><a href={enrolment.otpauth_uri}>{t("totp.openApp")}</a></p>
        </section>
      )}
      {!enrolling && <p>{t("totp.intro")}</p>}
      <form class="card stack" onSubmit={async (e) => {
        e.preventDefault(); setError(null); setBusy(true);
        try {
          const body = recovery ? { challenge, recovery_code: code.trim() } : { challenge, code: code.replace(/\s/g, "") };
          const signedIn = await api.post("/v1/auth/totp/verify", body);
          if (signedIn?.recovery_codes?.length) setCodes(signedIn.recovery_codes);
          else await finish();
        } catch (err) { setError(err); } finally { setBusy(false); }
      }}>
        {enrolling && <h2>{t("totp.confirmStep")}</h2>}
        <div class="field">
          <label for="code">{recovery ? t("totp.recoveryCode") : t("totp.code")}</label>
          {recovery /* two keyed inputs: one element reused would keep the other's pattern and maxlength */
            ? <input key="recovery" id="code" name="recovery_code" required autoComplete="off" value={code}
                     onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
            : <input key="app" id="code" name="code" required inputMode="numeric" autoComplete="one-time-code" pattern="\s*(\d\s*){6}"
                     maxLength={7} aria-describedby="code-hint" value={code}
                     onInput={(e) => setCode((e.target as HTMLInputElement).value)} />}
          {!recovery && <p class="hint" id="code-hint">{t("totp.codeHint")}</p>}
        </div>
        {error && <ErrorNote error={error} />}
        <button type="submit" disabled={busy}>{t("totp.submit")}</button>
        {!enrolling && (
          <p><button type="button" class="link" onClick={() => { setRecovery(!recovery); setCode(""); setError(null); }}>
            {recovery ? t("totp.useApp") : t("totp.useRecovery")}</button></p>
        )}
      </form>
    </Layout>
  );
}
