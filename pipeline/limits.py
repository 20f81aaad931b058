"""Sizes shared by the crawler and the extractor (a light module: the crawl process imports it)."""

MAX_PDF_BYTES = 40 * 1024 * 1024
"""The largest notice body read: a scanned PDF notice with its seals; the crawler downloads no more."""
