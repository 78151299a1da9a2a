"""Alerts that reach their owner: `python -m cxdata notify`, run from cron (docs/notifications.md).

What is due (items), who gets it (recipients, always within their scope from the roles file), the
outbox in the store beside the database that makes every send happen once (outbox), the two
channels (send_mail: SMTP; send_hook: Slack- or Teams-compatible webhooks) and the command's run
(run). Each item writes its own message, in its reader's language. It reads the capabilities (the
overview's attention list, churn alerts, follow-up cases, the board pack); nothing reads it.
"""
