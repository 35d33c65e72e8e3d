"""The counter of Russian losses: API clients, history, Ukrainian formatting, chart."""
