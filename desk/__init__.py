"""The desk process (aiohttp): web chat page, and later Slack interactivity, inbox, dashboard."""
