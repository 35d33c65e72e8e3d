"""Telegram channels the bot posts to (``[[channels]]``, issue 13).

- :mod:`~bot.channels.check` — may the bot post there: the verdict on what Telegram says;
- :mod:`~bot.channels.probe` — asking Telegram (getChat, getChatMember for the bot itself);
- :mod:`~bot.channels.service` — the checks at start and every 10 minutes, and keeping the
  ``chats`` table in step with the config.

A channel that passes is a chat of type ``channel`` with its mode: stories and digests reach
it through the same fan-out and ledger as a subscriber (:mod:`storage.audience`); its daily
loss-counter post is :mod:`bot.losses.daily`.
"""
