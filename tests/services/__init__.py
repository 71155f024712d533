"""Helpers that start and reach the real services some tests need.

PostgreSQL, Redis, a Celery worker and beat, and headless Chromium. Each helper waits for a
bounded time and cleans up after itself, so a missing or stuck service fails one test quickly.
"""
