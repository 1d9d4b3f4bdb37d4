"""Drafts an answer to a support ticket."""

from anthropic import Anthropic

from bot.settings import settings

SYSTEM = "You are a friendly support agent. Answer briefly and cite the docs."

client = Anthropic(api_key=settings.anthropic_api_key)


def draft_answer(ticket: str) -> str:
    message = client.messages.create(
        model=settings.support_bot_model,
        system=SYSTEM,
        max_tokens=settings.max_tokens,
        messages=[{"role": "user", "content": ticket}],
    )
    return message.content[0].text


def classify(ticket: str) -> str:
    message = client.messages.create(
        model="claude-3-5-haiku-20241022",
        max_tokens=10,
        messages=[{"role": "user", "content": f"One word category for: {ticket}"}],
    )
    return message.content[0].text.strip().lower()
