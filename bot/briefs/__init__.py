"""Ukrainian briefs: sentence splitting, summarisers and Telegram-safe rendering."""
