"""E-mail: a plain-text message through the operator's SMTP relay.

The TLP label leads the subject and the body, as FIRST asks of e-mail. The message id is
derived from the delivery's key, so a receiving system that saw a retry's first copy can
tell it is the same message. The relay's password comes from the environment variable the
settings name, wrapped so that nothing formats it; SMTP errors are kept as their reply
code only (a server's text can echo what it was sent).
"""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from shieldwall.model.notification import Secret
from shieldwall.respond.notify.senders import DeliveryFailedError, Job


@dataclass(frozen=True, slots=True)
class SmtpRelay:
    """Where and how to hand e-mail over."""

    host: str
    port: int
    sender: str
    starttls: bool = True
    username: str = ""
    password: Secret | None = None
    timeout: float = 10.0


def message(job: Job, sender: str) -> EmailMessage:
    """The e-mail for one job."""
    note = job.notification
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = job.channel.target
    mail["Subject"] = f"[{note.tlp.label}] {note.subject}"
    mail["Date"] = formatdate(localtime=False)
    digest = hashlib.sha256(job.delivery.key.encode()).hexdigest()[:40]
    mail["Message-ID"] = f"<{digest}@shieldwall>"
    mail["X-Shieldwall-Delivery"] = job.delivery.key
    mail.set_content(
        f"{note.tlp.label}\n\n{note.body}\n\n-- \n"
        f"{note.event_kind} from {note.org_id}, notification {note.id}\n"
    )
    return mail


class EmailSender:
    """Sends notifications through one SMTP relay."""

    def __init__(self, relay: SmtpRelay) -> None:
        self._relay = relay

    async def send(self, job: Job) -> None:
        """One message; DeliveryFailedError with the SMTP code or the kind of error."""
        mail = message(job, self._relay.sender)
        await asyncio.to_thread(self._hand_over, mail)

    def _hand_over(self, mail: EmailMessage) -> None:
        relay = self._relay
        try:
            with smtplib.SMTP(relay.host, relay.port, timeout=relay.timeout) as smtp:
                if relay.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if relay.username and relay.password is not None:
                    smtp.login(relay.username, relay.password.reveal())
                smtp.send_message(mail)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryFailedError(f"the relay answered SMTP {exc.smtp_code}") from None
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryFailedError("the relay refused the recipient") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailedError(f"relay error ({type(exc).__name__})") from None

    async def close(self) -> None:
        """Nothing held between messages."""
