"""Advice for one triaged comment: the playbook, the plan, reply suggestions, guardrails and the
Dutch display text of every label."""
