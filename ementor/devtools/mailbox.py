"""The development mailbox: a page listing what the mail catcher and the Twilio stand-in caught.

`ementor dev` serves it (http://127.0.0.1:8025/ by default), so a newcomer can sign in to the web
app as any person the walkthrough made, by opening the link in their email, without a mail server.
Every caught value is escaped; only http(s) URLs in an email's text become links. Never in production.
"""

from __future__ import annotations

import html
import re
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .catchers import MailCatcher, TwilioFake

URL = re.compile(r"https?://[^\s<>\"']+")
SHOWN = 200  # the newest emails and SMS; older ones are still in the catcher


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%H:%M:%S UTC")


def _linked(text: str) -> str:
    """Escaped text in which each http(s) URL is a link."""
    out, last = [], 0
    for found in URL.finditer(text):
        out.append(html.escape(text[last:found.start()]))
        url = html.escape(found.group(0))
        out.append(f'<a href="{url}">{url}</a>')
        last = found.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def page(mail: MailCatcher | None, sms: TwilioFake | None) -> str:
    emails = list(mail.messages)[-SHOWN:][::-1] if mail else []
    texts = list(sms.messages)[-SHOWN:][::-1] if sms else []
    items = [
        f"<article><h2>{html.escape(m.subject or '(no subject)')}</h2>"
        f"<p class=meta>To {html.escape(', '.join(m.recipients))} at {_when(m.received_at)}</p>"
        f"<pre>{_linked(m.text() or m.text('text/html') or '')}</pre></article>"
        for m in emails
    ]
    sms_items = [f"<li><b>{html.escape(s.to)}</b>: {_linked(s.body)}</li>" for s in texts]
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>ementor development mailbox</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}}
article{{border:1px solid #bbb;border-radius:.5rem;padding:.5rem 1rem;margin:1rem 0}}h2{{font-size:1.1rem;margin:.3rem 0}}
.meta{{color:#444;margin:0}}pre{{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit}}a{{color:#0645ad}}</style></head><body>
<h1>Development mailbox</h1>
<p>What ementor sent while <code>ementor dev</code> runs (newest first; reload to see new mail). Open a sign-in
link here to sign in to the web app as that person.</p>
<h2>Emails ({len(emails)})</h2>{''.join(items) or '<p>None yet.</p>'}
<h2>Text messages ({len(texts)})</h2><ul>{''.join(sms_items) or '<li>None yet.</li>'}</ul></body></html>"""


class Mailbox:
    def __init__(self, mail: MailCatcher | None, sms: TwilioFake | None, host: str = "127.0.0.1", port: int = 8025):
        mailbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.split("?")[0] != "/":
                    self.send_error(404)
                    return
                body = page(mailbox.mail, mailbox.sms).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet: the dev server's console is the walkthrough's
                pass

        self.mail, self.sms = mail, sms
        try:
            self.server = ThreadingHTTPServer((host, port), Handler)
        except OSError:  # the port is taken (a second dev server): any free one
            self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
