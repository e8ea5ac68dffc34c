// The knowledge library as the pages use it: the API's shapes, the tag vocabulary, and the
// article body turned into DOM nodes from an allow-list.
//
// The API's `html` is built server-side by escaping the whole Markdown first and only then adding
// a few tags (services/knowledge/rendering.py), so a <script> an author typed arrives as text. The
// page still never hands that string to innerHTML: it is parsed inert (DOMParser does not run
// scripts or load images) and rebuilt here from the tags the renderer makes, with text copied as
// text and links kept only when they are https.
import { t, type Key } from "../i18n";

export type Passage = { article_id: string; title: string; passage: string; score: number; section: string;
  passage_id: string; url: string };
export type Counts = { helpful: number; not_helpful: number };
export type Summary = { id: string; title: string; summary: string; audience: "mentees" | "mentors" | "everyone";
  min_age: number; tags: string[]; language: string; origin: "platform" | "organisation";
  status: "draft" | "published"; version: number; hidden: boolean; review_by: string | null; url: string;
  feedback?: Counts | null };
/** Why an article is recommended: the signal (`kind`) and the article's tag that met it. */
export type Reason = { kind: "interest" | "goal" | "conversation"; tag: string; text: string };
export type Recommended = Summary & { reasons: Reason[] };
export type Fields = { title: string; summary: string; body: string; audience: Summary["audience"]; min_age: number;
  tags: string[]; language: string; review_by: string | null };
export type Article = Summary & { body: string; html: string; sections: string[]; your_feedback?: boolean | null;
  sources: { title: string; url: string }[]; draft: Fields | null };

// The library's tag vocabulary (services/knowledge/handlers.py TAGS), in the order shown.
export const TAGS = [
  "university-applications", "personal-statements", "apprenticeships", "further-education", "gap-year",
  "careers-and-jobs", "work-experience", "cvs-and-applications", "interviews", "networking", "study-skills",
  "goals", "confidence", "wellbeing", "money-and-finance", "online-safety", "mentoring-practice", "safeguarding",
] as const;

export const AUDIENCES = ["mentees", "mentors", "everyone"] as const;

export function tagName(tag: string): string {
  const key = `tag.${tag}` as Key;
  const said = t(key);
  return said === key ? tag.replace(/-/g, " ") : said;
}

/** The section anchor the API puts in a passage's `url` (`/v1/articles/<id>#<slug>`). */
export function anchorOf(url: string): string {
  const at = url.indexOf("#");
  return at < 0 ? "" : url.slice(at + 1);
}

/** The same slug as services/knowledge/library.py section_slug. */
export function sectionSlug(heading: string): string {
  const ascii = heading.normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
  return ascii.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "section";
}

const BLOCKS = new Set(["P", "UL", "OL", "LI", "STRONG", "EM", "H2", "H3", "H4", "H5", "H6", "A", "BR"]);

/**
 * The article's HTML as DOM nodes: only the renderer's tags, text as text, https links only.
 * Headings are lifted so the highest is an h2 (the page's h1 is the title), and each `## `
 * section heading (an h3 from the renderer) gets the anchor search results link to.
 */
export function articleNodes(html: string): DocumentFragment {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const out = document.createDocumentFragment();
  const levels = Array.from(parsed.body.querySelectorAll("h2,h3,h4,h5,h6")).map((h) => Number(h.tagName[1]));
  const lift = levels.length ? Math.min(...levels) - 2 : 0;
  const seen = new Map<string, number>();
  const copy = (from: Node, into: Node) => {
    for (const child of Array.from(from.childNodes)) {
      if (child.nodeType === Node.TEXT_NODE) { into.appendChild(document.createTextNode(child.textContent ?? "")); continue; }
      if (child.nodeType !== Node.ELEMENT_NODE) continue;
      const element = child as Element;
      if (!BLOCKS.has(element.tagName)) { copy(element, into); continue; } // unknown: keep its text only
      let made: HTMLElement;
      if (element.tagName === "A") {
        const href = element.getAttribute("href") ?? "";
        if (!/^https:\/\/[^\s"'<>]+$/.test(href)) { copy(element, into); continue; }
        const a = document.createElement("a");
        a.href = href;
        a.rel = "noopener noreferrer nofollow";
        made = a;
      } else if (/^H[2-6]$/.test(element.tagName)) {
        made = document.createElement(`h${Number(element.tagName[1]) - lift}`);
      } else {
        made = document.createElement(element.tagName.toLowerCase());
      }
      if (element.tagName === "H3") {
        let slug = sectionSlug(element.textContent ?? "");
        const n = (seen.get(slug) ?? 0) + 1;
        seen.set(slug, n);
        if (n > 1) slug = `${slug}-${n}`;
        made.id = `section-${slug}`;
        made.tabIndex = -1;
      }
      copy(element, made);
      into.appendChild(made);
    }
  };
  copy(parsed.body, out);
  return out;
}
