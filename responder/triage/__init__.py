"""Triage of one comment: normalise the text, detect language and form of address, classify."""
