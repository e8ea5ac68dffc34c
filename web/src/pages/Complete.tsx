// Where the emailed sign-in link (and a staff invitation) lands: exchanges the token for the
// session cookies, then goes home.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote } from "../components/states";
import { Layout } from "../components/Layout";
import { t } from "../i18n";
import { Link, navigate, query } from "../router";
import { loadMe } from "../session";
import { safePath } from "./SecondFactor";

const claimed = new Set<string>(); // a link works once: never post it twice from one page

export function Complete() {
  const token = query("token");
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!token || claimed.has(token)) return;
    claimed.add(token);
    api.post("/v1/auth/sign-in/complete", { token })
      .then(async (answer) => {
        if (answer?.status === "second_factor_required") { // staff whose organisation asks for a TOTP code
          const step = new URLSearchParams({ challenge: answer.challenge, second_factor: answer.second_factor,
            return_to: safePath(query("next")) });
          navigate(`/sign-in/second-factor?${step}`, true);
          return;
        }
        await loadMe();
        navigate(safePath(query("next")), true);
      })
      .catch(setError);
  }, [token]);
  if (!token) {
    return <Layout title={t("complete.failed")}><p>{t("complete.noToken")}</p>
      <p><Link href="/sign-in">{t("complete.newLink")}</Link></p></Layout>;
  }
  if (error) {
    return <Layout title={t("complete.failed")}><ErrorNote error={error} />
      <p><Link href="/sign-in">{t("complete.newLink")}</Link></p></Layout>;
  }
  return <Layout title={t("complete.title")}><p role="status">{t("state.loading")}</p></Layout>;
}
