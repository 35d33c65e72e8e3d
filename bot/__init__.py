"""newsbot: Ukrainian news briefs with the counter of Russian losses, delivered over Telegram."""

__version__ = "0.1.0"
