"""Sample sources for ``newsbot demo``: articles and a loss counter written for this project."""
