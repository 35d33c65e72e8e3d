"""News sources: fetching, feed parsing, item identity, article text, scheduled polling."""
