"""Checks of what residents see, in headless Chromium (see conftest.py)."""
