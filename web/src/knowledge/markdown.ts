// A draft's preview: the Markdown forms services/knowledge/rendering.py knows (headings,
// paragraphs, lists, **bold**, [links](https://...)), built as DOM nodes with text as text, so
// nothing an author types can become markup. Readers see the server's rendering; this mirrors it.
const LINK = /\[([^\]]+)\]\((https:\/\/[^\s)"'<>]+)\)/g;

function inline(text: string, into: Node): void {
  let last = 0;
  const links = [...text.matchAll(LINK)];
  for (const m of links) {
    bold(text.slice(last, m.index), into);
    const a = document.createElement("a");
    a.href = m[2];
    a.rel = "noopener noreferrer nofollow";
    bold(m[1], a);
    into.appendChild(a);
    last = (m.index ?? 0) + m[0].length;
  }
  bold(text.slice(last), into);
}

function bold(text: string, into: Node): void {
  text.split(/\*\*(.+?)\*\*/g).forEach((part, i) => {
    if (!part) return;
    if (i % 2 === 1) {
      const strong = document.createElement("strong");
      strong.textContent = part;
      into.appendChild(strong);
    } else {
      into.appendChild(document.createTextNode(part));
    }
  });
}

export function markdownNodes(markdown: string): DocumentFragment {
  const out = document.createDocumentFragment();
  let paragraph: string[] = [];
  let items: string[] = [];
  const flush = () => {
    if (paragraph.length) {
      const p = document.createElement("p");
      inline(paragraph.join(" "), p);
      out.appendChild(p);
      paragraph = [];
    }
    if (items.length) {
      const ul = document.createElement("ul");
      for (const item of items) {
        const li = document.createElement("li");
        inline(item, li);
        ul.appendChild(li);
      }
      out.appendChild(ul);
      items = [];
    }
  };
  const lines = markdown.split(/\r?\n/);
  const levels = lines.map((l) => /^(#{1,4})\s+/.exec(l.trim())?.[1].length ?? 9);
  const top = Math.min(...levels); // the highest heading becomes an h3, under the preview's own h2
  for (const line of lines) {
    const s = line.trim();
    const heading = /^(#{1,4})\s+(.*)$/.exec(s);
    if (!s) flush();
    else if (heading) {
      flush();
      const h = document.createElement(`h${Math.min(heading[1].length - top + 3, 6)}`);
      inline(heading[2], h);
      out.appendChild(h);
    } else if (/^[-*]\s+/.test(s)) {
      if (paragraph.length) flush();
      items.push(s.replace(/^[-*]\s+/, ""));
    } else {
      if (items.length) flush();
      paragraph.push(s);
    }
  }
  flush();
  return out;
}
