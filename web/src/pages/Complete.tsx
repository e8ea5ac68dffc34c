// Where the emailed sign-in link (and a staff invitation) lands: exchanges the token for the
// session cookies, then goes home.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote } from "../components/states";
import { Layout } from "../components/Layout";
import { t } from "../i18n";
import { Link, navigate, query } from "../router";
import { loadMe } from "../session";

const claimed = new Set<string>(); // a link works once: never post it twice from one page

export function Complete() {
  const token = query("token");
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!token || claimed.has(token)) return;
    claimed.add(token);
    api.post("/v1/auth/sign-in/complete", { token })
      .then(() => loadMe())
      .then(() => navigate(query("next") ?? "/", true))
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
