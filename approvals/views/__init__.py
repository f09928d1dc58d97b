"""Review pages under /review/: the department inbox, tasks, cases, extensions and A/B posts."""
