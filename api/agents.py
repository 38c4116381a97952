"""A coarse description of a browser for a person's list of sessions ("Firefox trên Linux"):
the browser's family and the system's, never its version or anything finer (no IP address is
kept beyond the one the audit log already records)."""

from __future__ import annotations

# the first that matches wins: Edge and Opera say "Chrome" too, Chrome says "Safari"
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"), ("python-httpx", "httpx"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe(user_agent: str | None) -> str:
    ua = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in ua), "trình duyệt khác")
    system = next((name for mark, name in _SYSTEMS if mark in ua), None)
    return f"{browser} trên {system}" if system else browser
