import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote } from "../components/states";
import { Layout } from "../components/Layout";
import { t } from "../i18n";
import { person } from "../session";

export function Settings() {
  const p = person.value;
  const [channels, setChannels] = useState({ ...p.channels });
  const [quiet, setQuiet] = useState({ ...p.quiet_hours });
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Layout title={t("settings.title")}>
      <form class="card stack" onSubmit={async (e) => {
        e.preventDefault(); setError(null); setSaved(false);
        try {
          person.value = await api.patch(`/v1/people/${p.id}`, { channels, quiet_hours: quiet });
          setSaved(true);
        } catch (err) { setError(err); }
      }}>
        <div class="check">
          <input id="email" type="checkbox" checked={channels.email}
                 onChange={(e) => setChannels({ ...channels, email: (e.target as HTMLInputElement).checked })} />
          <label for="email">{t("settings.email")}</label>
        </div>
        <div class="check">
          <input id="sms" type="checkbox" checked={channels.sms}
                 onChange={(e) => setChannels({ ...channels, sms: (e.target as HTMLInputElement).checked })} />
          <label for="sms">{t("settings.sms")}</label>
        </div>
        <p class="hint">{t("settings.messagesHint")}</p>
        <fieldset>
          <legend>{t("settings.quiet")}</legend>
          <p class="hint" id="quiet-hint">{t("settings.quietHint")}</p>
          <div class="row">
            <div class="field">
              <label for="quiet-start">{t("settings.quietFrom")}</label>
              <input id="quiet-start" type="time" required value={quiet.start} aria-describedby="quiet-hint"
                     onInput={(e) => setQuiet({ ...quiet, start: (e.target as HTMLInputElement).value })} />
            </div>
            <div class="field">
              <label for="quiet-end">{t("settings.quietTo")}</label>
              <input id="quiet-end" type="time" required value={quiet.end} aria-describedby="quiet-hint"
                     onInput={(e) => setQuiet({ ...quiet, end: (e.target as HTMLInputElement).value })} />
            </div>
          </div>
        </fieldset>
        {error && <ErrorNote error={error} />}
        {saved && <p role="status" class="ok">{t("state.saved")}</p>}
        <button type="submit">{t("settings.save")}</button>
      </form>
    </Layout>
  );
}
