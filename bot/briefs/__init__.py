"""Ukrainian briefs: sentence splitting, summarisers and Telegram-safe rendering.

* :mod:`bot.briefs.sentences` — tokenize-uk sentence splitting plus repairs (quotes, abbreviations);
* :mod:`bot.briefs.quotes` — balanced quotation marks, and what is said outside them;
* :mod:`bot.briefs.openings` — the one list of openings that lean on the sentence before;
* :mod:`bot.briefs.standalone` — whether a sentence can stand in a brief, and its facts;
* :mod:`bot.briefs.lemmas` — pymorphy3 lemmas, noun readings preferred, cached per process;
* :mod:`bot.briefs.extractive` — the default offline summariser (centrality, centroid, title,
  position, facts; redundancy removal; never a fragment, a caption or an out-of-context
  sentence; at most three sentences);
* :mod:`bot.briefs.llm` — the optional chat-completions summariser, validated, with fallback;
* :mod:`bot.briefs.typography` — :func:`~bot.briefs.typography.typeset`: «…», « — », ’, 912 490;
* :mod:`bot.briefs.render` — the brief as Telegram HTML within the 1024-character caption limit;
* :mod:`bot.briefs.maker` — :class:`~bot.briefs.maker.BriefMaker`, what the rest of the bot calls;
* :mod:`bot.briefs.preview` — ``newsbot preview``.
"""
