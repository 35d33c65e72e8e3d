"""Sample sources for ``newsbot demo``: articles written for this project, and the loss
counter's daily history (derived from an MIT-licensed dataset: see NOTICE.txt)."""
