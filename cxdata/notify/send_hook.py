"""Webhooks: a message POSTed as JSON (the standard library's urllib), in one of two shapes.

- slack: `{"text": …}` (Slack's incoming webhooks, and most chat tools that copy them: Mattermost,
  Rocket.Chat, Google Chat); bold subject, the lines, the link as `<url|label>`.
- teams: a Teams workflow's "When a Teams webhook request is received" body: a message with one
  Adaptive Card attachment (`{"type": "message", "attachments": [{"contentType":
  "application/vnd.microsoft.card.adaptive", "content": {"type": "AdaptiveCard", …}}]}`), the subject
  as a bold TextBlock, the lines as TextBlocks, the link as an Action.OpenUrl button.

Every request carries an Idempotency-Key header (the outbox's message id). A reply outside 2xx is a
failure with its status (retried on the next run); a webhook never gets a file (the board pack goes
by e-mail).
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from cxdata.i18n import _
from cxdata.notify.items import Words
from cxdata.notify.recipients import Hook
from cxdata.notify.send_mail import SendError

TIMEOUT = 15  # seconds to wait for the webhook
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"  # untranslated: a MIME type


def body(hook: Hook, words: Words, link: tuple[str, str] | None) -> dict:
    """The JSON the webhook receives, in its format."""
    if hook.format == "teams":
        return teams_body(words, link)
    return slack_body(words, link)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(words: Words, link: tuple[str, str] | None) -> dict:
    lines = [f"*{_slack_escape(words.subject)}*", *(_slack_escape(line) for line in words.lines)]
    if link:
        lines.append(f"<{link[1]}|{_slack_escape(link[0])}>")
    return {"text": "\n".join(lines)}


def teams_body(words: Words, link: tuple[str, str] | None) -> dict:
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
            "body": [{"type": "TextBlock", "text": words.subject, "wrap": True,
                      "weight": "Bolder", "size": "Medium"},  # untranslated: the card's styles
                     *({"type": "TextBlock", "text": line, "wrap": True} for line in words.lines)]}
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": link[0], "url": link[1]}]
    return {"type": "message", "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}]}


def post(hook: Hook, payload: dict, key: str) -> None:
    """POST the payload; SendError with the reason when the webhook does not take it."""
    request = urllib.request.Request(hook.url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                     method="POST", headers={"Content-Type": "application/json; charset=utf-8",
                                                             "Idempotency-Key": key.strip("<>")})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
            reply.read()
    except urllib.error.HTTPError as exc:
        answer = exc.read(300).decode("utf-8", "replace").strip()
        raise SendError(_("the webhook at {host} answered {status} {reason}{answer}").format(
            host=hook.host, status=exc.code, reason=exc.reason, answer=f": {answer}" if answer else "")) from None
    except urllib.error.URLError as exc:
        raise SendError(_("the webhook at {host} can't be reached: {reason}").format(host=hook.host,
                                                                                   reason=exc.reason)) from None
    except (TimeoutError, OSError) as exc:
        raise SendError(_("the webhook at {host} can't be reached: {reason}").format(host=hook.host,
                                                                                   reason=exc)) from None
