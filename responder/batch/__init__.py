"""Batch labelling of exported comment files: formats, the resumable job, worker processes and the
HTML report."""
