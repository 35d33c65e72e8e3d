"""Delivery: the ledger worker, Telegram's rate limits and the error policy."""
