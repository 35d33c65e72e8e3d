"""Ukrainian briefs: sentence splitting, summarisers and Telegram-safe rendering.

* :mod:`bot.briefs.sentences` — tokenize-uk sentence splitting plus repairs (quotes, abbreviations);
* :mod:`bot.briefs.lemmas` — pymorphy3 lemmas, noun readings preferred, cached per process;
* :mod:`bot.briefs.extractive` — the default offline summariser (centrality, centroid, title,
  position; redundancy removal; never a fragment, a caption or an out-of-context sentence);
* :mod:`bot.briefs.llm` — the optional chat-completions summariser, validated, with fallback;
* :mod:`bot.briefs.render` — the brief as Telegram HTML within the 1024-character caption limit;
* :mod:`bot.briefs.maker` — :class:`~bot.briefs.maker.BriefMaker`, what the rest of the bot calls;
* :mod:`bot.briefs.preview` — ``newsbot preview``.
"""
