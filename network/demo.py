"""The demo network for ``seed_demo``: filled in below."""
