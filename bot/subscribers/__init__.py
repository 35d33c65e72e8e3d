"""What each subscriber chooses, and what the bot does with it (issue 12).

- :mod:`~bot.subscribers.times` — quiet hours and digest times on Kyiv's wall clock;
- :mod:`~bot.subscribers.words` — a word to follow or mute, and its lemma;
- :mod:`~bot.subscribers.view` — /settings' text, buttons and callback data;
- :mod:`~bot.subscribers.digest` — the «Головне за …» message;
- :mod:`~bot.subscribers.digest_service` — which digest is due, built once per digest time;
- :mod:`~bot.subscribers.capacity` — how many subscribers one bot serves in each mode.

The choices themselves live in the database (:mod:`storage.settings`) and are applied in the
fan-out's SQL (:mod:`storage.audience`, :mod:`storage.digests`); quiet hours are applied when a
message is sent (the delivery engine).
"""
