// Topic labels in the reader's language: a topic of the default taxonomy (ementor/platform/topics.py)
// whose label the API gives as the platform wrote it is shown with this app's words (`tag.<id>`, as
// the advice page does); an organisation's own topic, or its own label for one, is shown as written.
import { en } from "../i18n/en";
import { t, type Key } from "../i18n";

export function topicLabel(topic: string, label: string): string {
  const key = `tag.${topic}` as Key;
  return key in en && en[key] === label ? t(key) : label;
}
